/** Errors-as-values and other messages shown to the user (snackbar + notifications list). */
import { useSyncExternalStore } from 'react';
import type { ErrorInfo, Result } from '@shared/result';
import { Observable } from './emitter';

export interface Notice {
  id: number;
  severity: 'error' | 'warning' | 'info' | 'success';
  message: string;
  code?: string;
  at: number;
}

class NotificationStore extends Observable<Notice[]> {
  private nextId = 1;
  constructor() {
    super([]);
  }
  push(severity: Notice['severity'], message: string, code?: string): void {
    this.set([...this.state, { id: this.nextId++, severity, message, code, at: Date.now() }].slice(-50));
  }
  dismiss(id: number): void {
    this.set(this.state.filter((n) => n.id !== id));
  }
}

export const notifications = new NotificationStore();
export const notify = (severity: Notice['severity'], message: string, code?: string) => notifications.push(severity, message, code);
export const notifyError = (error: ErrorInfo) => notifications.push('error', error.message, error.code);

/** Unwraps a Result, reporting an error value to the user; returns null on error. */
export function unwrap<T>(result: Result<T>): T | null {
  if (result.ok) return result.value;
  notifyError(result.error);
  return null;
}

export const useNotifications = () => useSyncExternalStore(notifications.subscribe, notifications.getState);
