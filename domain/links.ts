// The one way a public URL of ours is built: API_PUBLIC_URL (which may carry a path prefix when
// a proxy mounts the API under one, e.g. https://crm.example/leadflow/) joined with a route path.
// The sender builds Twilio's status-callback URL with it and the webhook rebuilds the URL Twilio
// signed with it, so the two can never disagree (a leading slash would drop the prefix).

/** `base` with exactly one trailing slash, so relative resolution keeps its whole path. */
const asDirectory = (base: string): string => (base.endsWith('/') ? base : `${base}/`);

/** The public URL of `route` (a path with or without a leading slash, optionally with a query). */
export function publicUrl(base: string, route: string): string {
  return new URL(route.replace(/^\/+/, ''), asDirectory(base)).toString();
}
