/**
 * A strict Content-Security-Policy for HTML pages: scripts, styles and fetches from the page's own origin
 * only, no inline script or style, no plugins, no <base> rewriting, and no framing (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Headers every HTML response of `shoplake serve` carries (the dashboard adds them to its pages): the
 * CSP above, no MIME sniffing, no referrer, no framing for old browsers, and HSTS when served over TLS.
 */
export function htmlSecurityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
