// Tiny parsers for reading reports back in tests: an XML tree (enough for JUnit), Markdown tables, SVG mark counts.
import { FAILURE_KINDS } from '../../src/report/format.js';
import { parsePercentileDistribution, renderHgrm } from '../../src/report/hgrm.js';
import type { Summary } from '../../src/summary/types.js';

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const decode = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (e in named) return named[e]!;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

/** Strict enough to fail on unbalanced tags, raw `<` or `&` in text, and bad attributes. */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([A-Za-z][\w:.-]*)\s*>|<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < xml.length) {
    token.lastIndex = pos;
    m = token.exec(xml);
    if (!m) throw new Error(`XML syntax error at offset ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
    pos = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`XML: </${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const attrs: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(/([\w:.-]+)="([^"]*)"/g)) {
        if (/&(?!(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);)/i.test(a[2]!)) throw new Error(`XML: raw & in attribute ${a[1]}`);
        attrs[a[1]!] = decode(a[2]!);
      }
      const node: XmlNode = { name: m[2], attrs, children: [], text: '' };
      top.children.push(node);
      if (!m[4]) stack.push(node);
    } else if (m[5]) {
      if (/&(?!(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);)/i.test(m[5]) || m[5].includes('>')) throw new Error('XML: raw & or > in text');
      top.text += decode(m[5]);
    }
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is never closed`);
  return root;
}

export const childrenNamed = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);

/** Markdown tables: runs of lines starting with `|`, split on unescaped pipes. */
export function markdownTables(md: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      if (!line.endsWith('|') || line.endsWith('\\|')) throw new Error(`table row does not end with a pipe: ${line.slice(0, 80)}`);
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      (current ??= []).push(cells);
      if (current.length === 1) tables.push(current);
    } else {
      current = null;
    }
  }
  return tables;
}

/** Elements directly inside vega's `<g class="… NAME_marks">` group in an SVG string (marks have no nested groups). */
export function countMarks(svg: string, layer: string): number {
  const m = svg.match(new RegExp(`<g class="[^"]*\\b${layer}_marks"[^>]*>([\\s\\S]*?)</g>`));
  if (!m) return -1;
  return (m[1]!.match(/<(path|rect|line|text|circle)\b/g) ?? []).length;
}

/** Data points each chart must draw, computed from the Summary independently of the chart code. */
export function expectedMarks(s: Summary): Record<string, number> {
  const c = s.totals.classification;
  return {
    rate_points: s.timeline.length,
    latency_points: 2 * s.timeline.filter((p) => p.p99Ms > 0).length,
    spectrum_points: parsePercentileDistribution(renderHgrm(s)).filter((r) => r.percentile < 1).length,
    accuracy_bars: s.windows.filter((w) => w.accuracy != null).length,
    accuracy_ci: s.windows.filter((w) => w.accuracyCi != null).length,
    confusion_cells: c ? c.labels.length ** 2 : 0,
    confusion_counts: c ? c.labels.length ** 2 : 0,
    errors_bars: s.timeline.reduce((n, p) => n + FAILURE_KINDS.filter(([k]) => p[k] > 0).length, 0),
  };
}

