/**
 * The SQL editor: CodeMirror 6 with SQL highlighting and completion of the audit_events columns.
 *
 * Works under the renderer's strict CSP (`style-src 'self'`, no inline style): CodeMirror's styles
 * come from style-mod, which writes a `<style>` element (refused by the CSP) when the editor lives
 * in a document, but a constructable stylesheet (adoptedStyleSheets, allowed) when it lives in a
 * shadow root. So the editor is mounted in a shadow root of its host; positions are set through the
 * CSSOM, which the CSP allows. The Chromium UI test checks the page logs no CSP violation.
 */
import { useEffect, useRef } from 'react';
import { closeCompletion, completionStatus } from '@codemirror/autocomplete';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';

export function SqlEditor({
  value,
  onChange,
  onRun,
  columns,
  label,
}: {
  value: string;
  onChange: (sql: string) => void;
  /** Ctrl/Cmd-Enter. */
  onRun: () => void;
  columns: readonly string[];
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };

  useEffect(() => {
    if (!host.current) return;
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    shadow.replaceChildren(parent);
    const editor = new EditorView({
      root: shadow,
      parent,
      state: EditorState.create({
        doc: value,
        extensions: [
          keymap.of([{ key: 'Mod-Enter', run: () => (latest.current.onRun(), true) }]),
          basicSetup,
          sql({
            dialect: StandardSQL,
            upperCaseKeywords: true,
            schema: { audit_events: [...columns] },
            defaultTable: 'audit_events',
          }),
          EditorView.lineWrapping,
          EDITOR_THEME,
          syntaxHighlighting(READABLE_HIGHLIGHT),
          REPLACE_SELECTION_WITHOUT_NATIVE_EDITING,
          CLOSE_COMPLETION_WITHOUT_FOCUS,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once per mount; later values arrive through the effect below.
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="sql-editor" ref={host} />;
}

/**
 * Typing over a selection that spans highlighted tokens lets Chromium's native contenteditable
 * editing try to keep the deleted text's look with a `style` attribute, which the CSP refuses (and
 * logs). Replacing the selection through CodeMirror instead never touches the DOM natively.
 */
const REPLACE_SELECTION_WITHOUT_NATIVE_EDITING = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== 'insertText' || !event.data || view.state.selection.ranges.every((r) => r.empty))
      return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(event.data), { scrollIntoView: true, userEvent: 'input.type' });
    return true;
  },
});

/** Inside the shadow root the page's CSS does not apply: the editor's own look, as a CodeMirror theme. */
const EDITOR_THEME = EditorView.theme({
  '&': { minHeight: '160px', fontSize: '13px', backgroundColor: '#fff' },
  '.cm-scroller': { minHeight: '160px', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
  '&.cm-focused': { outline: '2px solid #5fb3d1' },
});

/**
 * Token colours that all reach WCAG AA contrast (4.5:1) on white: CodeMirror's default style has
 * a few that do not (type names, escapes), which axe reports. Used instead of the default, which
 * basicSetup installs only as a fallback.
 */
const READABLE_HIGHLIGHT = HighlightStyle.define([
  { tag: tags.keyword, color: '#708', fontWeight: '600' },
  { tag: [tags.atom, tags.bool, tags.url, tags.contentSeparator, tags.labelName], color: '#219' },
  { tag: [tags.literal, tags.inserted, tags.number], color: '#135e35' },
  { tag: [tags.string, tags.deleted], color: '#a11' },
  { tag: [tags.regexp, tags.escape, tags.special(tags.string)], color: '#9a3300' },
  { tag: tags.definition(tags.variableName), color: '#00c' },
  { tag: tags.local(tags.variableName), color: '#30a' },
  { tag: [tags.typeName, tags.namespace], color: '#005f3a' },
  { tag: tags.className, color: '#145566' },
  { tag: [tags.special(tags.variableName), tags.macroName], color: '#256' },
  { tag: tags.definition(tags.propertyName), color: '#00c' },
  { tag: tags.comment, color: '#7a3d00', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#b00000' },
]);

/**
 * A completion list open while the editor has no focus is closed: one that arrived after the officer
 * clicked elsewhere would float over the page with no way to reach it by keyboard (axe:
 * scrollable-region-focusable). Closed on the next tick: an update listener may not dispatch.
 */
const CLOSE_COMPLETION_WITHOUT_FOCUS = EditorView.updateListener.of((u) => {
  if (u.view.hasFocus || completionStatus(u.state) === null) return;
  setTimeout(() => {
    if (!u.view.hasFocus && completionStatus(u.view.state) !== null) closeCompletion(u.view);
  }, 0);
});
