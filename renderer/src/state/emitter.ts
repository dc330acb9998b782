/** A minimal subscribable value holder; `subscribe()` returns its unsubscribe (used with useSyncExternalStore). */
export class Observable<T> {
  private readonly listeners = new Set<() => void>();
  constructor(protected state: T) {}

  getState = (): T => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  protected set(next: T): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.listeners]) l();
  }
}
