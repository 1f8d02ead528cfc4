// axe-core (npm) run inside the page under test. The source is evaluated through the DevTools
// protocol (page.evaluate), so the app's Content-Security-Policy, which forbids inline scripts,
// stays on and is audited as the owner's browser sees it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let source: string | undefined;

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface AxeViolation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** One audited page or dialog: every violation, with how many elements broke each rule. */
export interface AxeReport {
  name: string;
  violations: { id: string; impact: Impact | null; count: number; help: string; targets: string[] }[];
}

/** Audit the whole document (a modal dialog included) against WCAG 2.x A/AA and best practices. */
export async function audit(page: Page, name: string): Promise<AxeReport> {
  source ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) }));
  });
  return {
    name,
    violations: violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })),
  };
}

export const blocking = (r: AxeReport): AxeReport['violations'] => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** `| page | rule (impact) ×count, … |` — the table the issue asks for, one row per page. */
export function table(reports: AxeReport[]): string {
  const rows = reports.map((r) => {
    const cells = r.violations.length === 0 ? 'none' : r.violations.map((v) => `${v.id} (${v.impact ?? '?'}) ×${v.count}`).join(', ');
    return `| ${r.name} | ${blocking(r).length} | ${cells} |`;
  });
  return ['| page | serious/critical rules | violations (rule, impact, elements) |', '|---|---|---|', ...rows].join('\n');
}
