/**
 * Links into the web UI for people outside it (Home Assistant's device page, a phone
 * notification). The UI routes by hash (`#/clips/<id>`), so a link is the UI's public address
 * (config `web.publicUrl`) plus a hash route; without a public address there is no link.
 */
export function uiLink(publicUrl: string | undefined, ...route: string[]): string | undefined {
  if (publicUrl === undefined) return undefined;
  const base = new URL(publicUrl);
  base.hash = '';
  base.search = '';
  // The UI is served at the folder's index: `http://pi:8080` and `.../ingress/abc` both need the slash.
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  if (route.length === 0) return base.toString();
  return `${base.toString()}#/${route.map(encodeURIComponent).join('/')}`;
}
