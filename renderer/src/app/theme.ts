import { createTheme } from '@mui/material/styles';

/** Dark by default: video work happens in dim rooms and colours read truer on a dark surround. */
export const theme = createTheme({
  palette: {
    mode: 'dark',
    primary: { main: '#8ab4ff' },
    secondary: { main: '#ffb86b' },
    background: { default: '#121316', paper: '#1b1d22' },
  },
  shape: { borderRadius: 8 },
  typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
});
