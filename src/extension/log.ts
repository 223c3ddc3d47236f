/** The one output channel. Every line passes through the redactor before it is written. */
import * as vscode from 'vscode';
import type { Redactor } from '../core/redact';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(private readonly redactor: Redactor) {
    this.channel = vscode.window.createOutputChannel('Connection Secrets', { log: true });
  }

  info(message: string) {
    this.channel.info(this.redactor.redact(message));
  }
  warn(message: string) {
    this.channel.warn(this.redactor.redact(message));
  }
  error(message: string) {
    this.channel.error(this.redactor.redact(message));
  }
  debug(message: string) {
    this.channel.debug(this.redactor.redact(message));
  }
  /** Appends plain lines (command results) without a log prefix. */
  lines(lines: string[]) {
    for (const l of lines) this.channel.appendLine(this.redactor.redact(l));
  }
  show() {
    this.channel.show(true);
  }
  dispose() {
    this.channel.dispose();
  }
}
