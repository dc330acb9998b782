import { createContext, useContext, type ReactNode } from 'react';
import type { StudioBridge } from '@shared/contract/bridge';
import { createWebBridge } from './web-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser host. */
    studio?: StudioBridge;
  }
}

/** Electron's preload bridge when present, otherwise the browser host's WebSocket bridge. */
export const connectStudio = (): StudioBridge => window.studio ?? createWebBridge();

const StudioContext = createContext<StudioBridge | null>(null);

export function StudioProvider({ bridge, children }: { bridge: StudioBridge; children: ReactNode }) {
  return <StudioContext.Provider value={bridge}>{children}</StudioContext.Provider>;
}

export function useStudio(): StudioBridge {
  const bridge = useContext(StudioContext);
  if (!bridge) throw new Error('useStudio outside StudioProvider');
  return bridge;
}

/** A fresh job id for long-running calls (progress + cancel). */
export const newJobId = (prefix = 'job'): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
