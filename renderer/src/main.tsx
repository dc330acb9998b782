import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CssBaseline, ThemeProvider } from '@mui/material';
import { App } from './app/App';
import { theme } from './app/theme';
import { connectStudio, StudioProvider } from './bridge/index';

// The token in the launch URL has been turned into an HttpOnly cookie by the host; drop it from the address bar.
if (location.search.includes('token=')) history.replaceState(null, '', location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <StudioProvider bridge={connectStudio()}>
        <App />
      </StudioProvider>
    </ThemeProvider>
  </StrictMode>,
);
