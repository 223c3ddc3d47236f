/**
 * The Troubleshoot panel's page script (bundled for the browser to media/troubleshoot/main.js).
 * It draws what the host sends (`HostMessage`) and asks for re-runs and copies (`WebviewMessage`).
 * Every piece of data is written with `textContent`: nothing received becomes markup.
 */
import type { CheckResult } from '../../core/troubleshoot/types';
import type { CheckHead, HostMessage, WebviewMessage } from '../../extension/troubleshootProtocol';

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void };

const vscode = acquireVsCodeApi();
const send = (m: WebviewMessage) => vscode.postMessage(m);

/** Marks with a word each: the status never rests on colour or a glyph alone. */
const LOOK: Record<CheckResult['status'] | 'running' | 'pending', { mark: string; word: string }> = {
  pass: { mark: '✓', word: 'passed' },
  fail: { mark: '✗', word: 'failed' },
  warn: { mark: '!', word: 'warning' },
  skipped: { mark: '–', word: 'skipped' },
  running: { mark: '⟳', word: 'running…' },
  pending: { mark: '○', word: 'pending' },
};

const state = {
  checks: [] as CheckHead[],
  results: new Map<string, CheckResult>(),
  running: undefined as string | undefined,
  done: false,
  firstFailure: undefined as string | undefined,
  error: undefined as { message: string; fix?: string } | undefined,
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e;
}

function busy(): boolean {
  return state.running !== undefined || (!state.done && !state.error && state.checks.length > 0);
}

function renderCheck(head: CheckHead): HTMLLIElement {
  const result = state.results.get(head.id);
  const status = state.running === head.id ? 'running' : result ? result.status : 'pending';
  const look = LOOK[status];
  const li = el('li', `check status-${status}${state.firstFailure === head.id ? ' first-failure' : ''}`);
  li.dataset.id = head.id;
  li.dataset.status = status;

  const top = el('div', 'check-head');
  const mark = el('span', 'mark', look.mark);
  mark.setAttribute('aria-hidden', 'true');
  top.append(mark, el('span', 'check-title', head.title), el('span', 'status', look.word));
  if (head.step === 2) top.append(el('span', 'step', 'step 2 · raw call'));
  if (result && result.durationMs > 0) top.append(el('span', 'duration', `${result.durationMs} ms`));
  top.append(el('code', 'check-id', head.id));
  li.append(top);

  if (result) {
    if (result.reason) li.append(el('p', 'reason', `Skipped: ${result.reason}`));
    if (result.evidence.length) {
      const list = el('ul', 'evidence');
      list.setAttribute('aria-label', 'Evidence');
      for (const line of result.evidence) list.append(el('li', undefined, line));
      li.append(list);
    }
    if (result.fix) {
      const fix = el('p', 'fix');
      fix.append(el('strong', undefined, 'Fix: '), document.createTextNode(result.fix));
      li.append(fix);
    }
    if (result.reproduce) {
      const pre = el('pre', 'reproduce');
      pre.append(el('code', undefined, result.reproduce));
      li.append(pre);
    }
  }

  const actions = el('div', 'actions');
  if (result?.reproduce) {
    const copy = el('button', 'secondary', 'Copy command');
    copy.type = 'button';
    copy.addEventListener('click', () => send({ type: 'copy', id: head.id }));
    actions.append(copy);
  }
  const again = el('button', 'secondary', 'Run again');
  again.type = 'button';
  again.disabled = busy();
  again.setAttribute('aria-label', `Run "${head.title}" again`);
  again.addEventListener('click', () => send({ type: 'rerun', id: head.id }));
  actions.append(again);
  li.append(actions);
  return li;
}

function renderSummary(): void {
  const summary = byId('summary');
  summary.replaceChildren();
  summary.className = '';
  if (state.error) {
    summary.className = 'summary-fail';
    summary.append(el('p', 'headline', `Cannot troubleshoot: ${state.error.message}`));
    if (state.error.fix) summary.append(el('p', 'fix', state.error.fix));
    return;
  }
  const results = state.checks.map((c) => state.results.get(c.id)).filter((r): r is CheckResult => !!r);
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  const counts = `${count('pass')} passed · ${count('fail')} failed · ${count('warn')} warning(s) · ${count('skipped')} skipped`;
  if (busy()) {
    summary.className = 'summary-running';
    summary.append(el('p', 'headline', `Running check ${Math.min(results.length + 1, state.checks.length)} of ${state.checks.length}…`), el('p', 'counts', counts));
    return;
  }
  const first = state.checks.find((c) => c.id === state.firstFailure);
  const firstResult = first && state.results.get(first.id);
  if (first && firstResult) {
    summary.className = 'summary-fail';
    summary.append(el('p', 'headline', `First problem: ${first.title}`));
    if (firstResult.fix) summary.append(el('p', 'fix', firstResult.fix));
  } else {
    summary.className = count('warn') ? 'summary-warn' : 'summary-pass';
    summary.append(el('p', 'headline', count('warn') ? `No check failed; ${count('warn')} warning(s)` : `All ${count('pass')} checks passed`));
  }
  summary.append(el('p', 'counts', counts));
}

function render(): void {
  byId('checks').replaceChildren(...state.checks.map(renderCheck));
  (byId('run-all') as HTMLButtonElement).disabled = busy() || state.checks.length === 0;
  renderSummary();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'target':
      byId('title').textContent = `Troubleshoot ${m.title}`;
      byId('subtitle').textContent = m.subtitle;
      state.checks = m.checks;
      state.results = new Map();
      state.running = undefined;
      state.done = false;
      state.firstFailure = undefined;
      state.error = undefined;
      break;
    case 'progress':
      if (m.state === 'running') {
        state.running = m.id;
        state.done = false;
        state.firstFailure = undefined;
        state.results.delete(m.id);
      } else {
        if (state.running === m.id) state.running = undefined;
        state.results.set(m.id, m.result);
      }
      break;
    case 'done':
      state.running = undefined;
      state.done = true;
      state.firstFailure = m.firstFailure;
      break;
    case 'error':
      state.error = { message: m.message, fix: m.fix };
      break;
  }
  render();
});

byId('run-all').addEventListener('click', () => send({ type: 'runAll' }));
send({ type: 'ready' });
