/**
 * `npm run bench`: runs every suite in bench/suites/, prints one table and writes
 * bench-results.json — rows of {name, value, unit, peer?, ratio?}. A suite that measures a peer
 * in the same run sets `peer` (the peer's value) and `ratio` (peer / ours for times and counts,
 * so bigger is better for us). Suites start the servers they need and stop them.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  peer?: number;
  peerName?: string;
  ratio?: number;
}

export type BenchSuite = () => Promise<BenchRow[]>;

async function main() {
  const only = process.argv.slice(2);
  const dir = path.join(__dirname, 'suites');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const rows: BenchRow[] = [];
  let failed = false;
  for (const file of files) {
    const name = file.replace(/\.ts$/, '');
    if (only.length && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    try {
      const suite = (await import(path.join(dir, file))).default as BenchSuite;
      rows.push(...(await suite()));
    } catch (e) {
      failed = true;
      console.error(`bench suite ${name} failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  const fmt = (n: number | undefined) => (n === undefined ? '' : Number.isInteger(n) ? String(n) : n.toPrecision(4));
  const table = rows.map((r) => [r.name, fmt(r.value), r.unit, r.peer === undefined ? '' : `${fmt(r.peer)} (${r.peerName ?? 'peer'})`, r.ratio === undefined ? '' : `${r.ratio.toFixed(1)}x`]);
  const head = ['benchmark', 'value', 'unit', 'peer', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  fs.writeFileSync('bench-results.json', JSON.stringify(rows, null, 2) + '\n');
  console.log('\nwrote bench-results.json');
  process.exit(failed ? 1 : 0);
}

void main();
