import { allowed, type Capability, ROLE_LABELS } from '../../services/console/permissions';
import type { ConsoleUser } from '../../services/console/sessions';
import { type Html, html } from './html';

/** Cache-busting versions of the static files (content hashes), set at start. */
export const assetVersion = { css: '0', js: '0', htmx: '0', chart: '0', kpisJs: '0', kpisCss: '0' };

const NAV: { href: string; label: string; cap: Capability; key: string }[] = [
  { href: '/console/requests', label: 'Fila', cap: 'queue:read', key: 'queue' },
  { href: '/console/sac/new', label: 'Abrir caso', cap: 'case:open', key: 'sac' },
  { href: '/console/sac/forward', label: 'Encaminhar conversa', cap: 'case:forward', key: 'sac-forward' },
  { href: '/console/forwards', label: 'Encaminhamentos', cap: 'forwards:read', key: 'forwards' },
  { href: '/console/erp', label: 'Exportação ERP', cap: 'erp:export', key: 'erp' },
  { href: '/console/releases', label: 'Liberação do dia', cap: 'release:plan', key: 'releases' },
  { href: '/console/finance', label: 'Financeiro', cap: 'finance:release', key: 'finance' },
  { href: '/console/kpis', label: 'Indicadores', cap: 'kpis:read', key: 'kpis' },
  { href: '/console/channels', label: 'Canais', cap: 'channels:read', key: 'channels' },
  { href: '/console/users', label: 'Usuários', cap: 'users:manage', key: 'users' },
  { href: '/console/audit', label: 'Auditoria', cap: 'audit:read', key: 'audit' },
  { href: '/console/llm', label: 'Uso do modelo', cap: 'llm:read', key: 'llm' },
];

/** htmx: no eval, no injected <style> (the CSP forbids both); 4xx answers are swapped so errors show in place. */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  includeIndicatorStyles: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true, error: true },
    { code: '...', swap: false, error: true },
  ],
});

export interface PageOptions {
  title: string;
  user?: ConsoleUser;
  active?: string;
  flash?: { kind: 'ok' | 'error'; text: string } | null;
}

function head(title: string): Html {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · Posvenda</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/static/console.css?v=${assetVersion.css}">
<script src="/console/static/htmx.min.js?v=${assetVersion.htmx}" defer></script>
<script src="/console/static/console.js?v=${assetVersion.js}" defer></script>`;
}

export function flashBox(flash: PageOptions['flash']): Html {
  if (!flash) return html``;
  return html`<div class="flash flash-${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</div>`;
}

/** A whole console page: header with the user's menu, flash message, content. */
export function page(opts: PageOptions, body: Html): Html {
  const u = opts.user;
  const hxHeaders = u ? JSON.stringify({ 'X-CSRF-Token': u.csrfToken }) : undefined;
  const nav = u
    ? NAV.filter((n) => allowed(u.role, n.cap)).map(
        (n) =>
          html`<a href="${n.href}" class="${n.key === opts.active ? 'active' : ''}"${n.key === opts.active ? html` aria-current="page"` : ''}>${n.label}</a>`,
      )
    : [];
  return html`<!doctype html>
<html lang="pt-BR">
<head>${head(opts.title)}</head>
<body${hxHeaders ? html` hx-headers="${hxHeaders}"` : ''}>
<header class="top">
  <a class="brand" href="/console">Posvenda <span>Assistência Técnica</span></a>
  ${
    u
      ? html`<nav class="nav">${nav}</nav>
  <div class="me">
    <span title="${u.email}">${u.name} · ${ROLE_LABELS[u.role]}</span>
    <form method="post" action="/console/logout" class="inline">
      ${csrfField(u)}
      <button type="submit" class="link">Sair</button>
    </form>
  </div>`
      : ''
  }
</header>
<main>
${flashBox(opts.flash)}
${body}
</main>
</body>
</html>`;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(u: ConsoleUser): Html {
  return html`<input type="hidden" name="_csrf" value="${u.csrfToken}">`;
}

/** A status pill. */
export function pill(kind: string, text: string): Html {
  return html`<span class="pill pill-${kind}">${text}</span>`;
}
