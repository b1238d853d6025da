import { ApiError, signIn } from '../api.js';
import { h } from '../dom.js';

/**
 * The key prompt, shown when the API answers 401: a labelled password field and a submit button (a real
 * form, so Enter signs in). The key goes to POST /api/session, which keeps it in an HttpOnly cookie; the
 * page then reloads the view it was asked for.
 */
export function renderSignIn(root: HTMLElement, message?: string): void {
  const input = h('input', {
    id: 'key',
    name: 'key',
    type: 'password',
    autocomplete: 'current-password',
    required: '',
    spellcheck: 'false',
  });
  const status = h('p', { class: 'status', role: 'alert', id: 'sign-in-status' }, message ?? '');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-describedby': 'sign-in-help' },
    h('label', { for: 'key' }, 'Key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = 'checking the key…';
    signIn(input.value.trim()).then(
      () => location.reload(),
      (err: unknown) => {
        status.textContent =
          err instanceof ApiError ? err.message : 'the server could not be reached: try again';
        input.select();
      },
    );
  });
  root.replaceChildren(
    h('h1', {}, 'Sign in'),
    h(
      'p',
      { id: 'sign-in-help' },
      'This dashboard needs a key with the viewer, analyst or admin role. ' +
        'The data directory’s owner creates one with: shoplake keys create --name NAME --role viewer',
    ),
    form,
    status,
  );
  input.focus();
}
