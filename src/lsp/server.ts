/**
 * The language server's I/O: a JSON-RPC connection over two streams, the open documents, and one handler per
 * request, each a call into the pure functions of this folder. Every handler is guarded, so no input can stop
 * the server: a thrown error gives an empty answer and a line in the client's log.
 */
import { createConnection, TextDocuments, TextDocumentSyncKind, type Connection, type Diagnostic, type Position } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { version } from '../version.js';
import { analyze, documentName, type Analysis } from './analysis.js';
import { completionsAt } from './completion.js';
import { definitionAt } from './definition.js';
import { toLspDiagnostics } from './diagnostics-to-lsp.js';
import { formatDocument } from './formatting.js';
import { hoverAt } from './hover.js';
import { positionToOffset, spanToRange } from './positions.js';

/** Long enough to skip the compiles of a burst of keystrokes, short enough to feel immediate. */
export const DIAGNOSTICS_DELAY_MS = 150;

export function startServer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Connection {
  const connection = createConnection(input, output);
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, { version: number; analysis: Analysis }>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Runs a handler; a bug in effnet must cost one answer, not the editor's server. */
  const guarded = <A extends unknown[], R>(what: string, fallback: R, f: (...a: A) => R) => (...a: A): R => {
    try {
      return f(...a);
    } catch (e) {
      connection.console.error(`effnet lsp: internal error in ${what}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return fallback;
    }
  };

  const analysisOf = (doc: TextDocument): Analysis => {
    const hit = cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.analysis;
    const analysis = analyze(doc.uri, doc.getText());
    cache.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  };

  const publish = guarded('diagnostics', undefined, (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return;
    let diagnostics: Diagnostic[];
    try {
      const a = analysisOf(doc);
      diagnostics = toLspDiagnostics(a.compilation.diagnostics, a.positions);
    } catch (e) {
      // A compiler crash clears the list rather than leaving stale diagnostics up.
      connection.console.error(`effnet lsp: internal error compiling ${documentName(uri)}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      diagnostics = [];
    }
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  });

  const schedule = (uri: string, delay: number) => {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => { timers.delete(uri); publish(uri); }, delay));
  };

  /** The document and compiler offset a request is about, or undefined for a document not open. */
  const at = (uri: string, position: Position) => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const a = analysisOf(doc);
    return { doc, a, offset: positionToOffset(a.positions, position) };
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      // No trigger characters: a space after a number field would pop up options where a value is typed.
      completionProvider: {},
      definitionProvider: true,
      documentFormattingProvider: true,
    },
    serverInfo: { name: 'effnet', version },
  }));

  // A document's first text (it was just opened) gets its diagnostics at once; typing waits for a pause.
  documents.onDidChangeContent((e) => schedule(e.document.uri, cache.has(e.document.uri) ? DIAGNOSTICS_DELAY_MS : 0));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(guarded('hover', null, (p) => {
    const r = at(p.textDocument.uri, p.position);
    const h = r && hoverAt(r.a.compilation, r.offset);
    return h ? { contents: { kind: 'markdown' as const, value: h.contents }, range: spanToRange(r.a.positions, h.span) } : null;
  }));

  connection.onCompletion(guarded('completion', [], (p) => {
    const doc = documents.get(p.textDocument.uri);
    return doc ? completionsAt(doc.getText(), doc.offsetAt(p.position)) : [];
  }));

  connection.onDefinition(guarded('definition', null, (p) => {
    const r = at(p.textDocument.uri, p.position);
    const ast = r?.a.compilation.parsed?.ast;
    const span = ast && definitionAt(ast, r.offset);
    return span ? { uri: p.textDocument.uri, range: spanToRange(r.a.positions, span) } : null;
  }));

  connection.onDocumentFormatting(guarded('formatting', null, (p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const edits = formatDocument(documentName(doc.uri), doc.getText());
    if (!edits) return null;
    const end = doc.positionAt(doc.getText().length);
    return edits.map((e) => ({ range: { start: { line: 0, character: 0 }, end }, newText: e.newText }));
  }));

  documents.listen(connection);
  connection.listen();
  return connection;
}
