import { h } from './dom.js';

/**
 * A panel of a page with its own state (loading, empty, error, content): each panel loads and fails
 * alone, so an error in one never blanks the page.
 */
export class Panel {
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  private readonly status: HTMLElement;

  constructor(title: string, id: string, extra = '') {
    this.status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.body = h('div', { class: 'panel-body' });
    this.el = h(
      'section',
      { class: `panel ${extra}`.trim(), id, 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title` }, title),
      this.status,
      this.body,
    );
  }

  loading(what: string): void {
    this.el.dataset.state = 'loading';
    this.status.textContent = `Loading ${what}…`;
  }

  empty(why: string): void {
    this.el.dataset.state = 'empty';
    this.status.textContent = why;
    this.body.replaceChildren();
  }

  error(message: string): void {
    this.el.dataset.state = 'error';
    this.status.textContent = message;
    this.status.setAttribute('role', 'alert');
    this.body.replaceChildren();
  }

  ready(note = ''): void {
    this.el.dataset.state = 'ready';
    this.status.removeAttribute('role');
    this.status.textContent = note;
  }
}

/** The message of anything thrown, for a panel's error state. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
