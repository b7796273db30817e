/**
 * Every citation can be followed by someone who cloned the repository and nothing else: a comment in
 * the code (main/, shared/, renderer/, scripts/, bench/, bin/, test/, .ci/ and the root's config
 * files) that names a Markdown file names one the repository holds, by its path from the root or
 * from the citing file; and docs/ and the README link only to files and headings that are there, and
 * name only source files that exist. Proved to fail on planted citations, as the layer rules are.
 */
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** A Markdown file's name, built at run time so that planted citations below are not citations of this file. */
const md = (name: string): string => `${name}.md`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CODE_FOLDERS = ['main', 'shared', 'renderer', 'scripts', 'bench', 'bin', 'test', '.ci'];
/** Folders that are never the repository's own files (installs, builds, caches, test output). */
const NOT_OURS = new Set([
  'node_modules',
  'dist',
  'out',
  'coverage',
  'test-results',
  '.cache',
  '.vite',
  '.tmp',
  '.git',
]);
const TS_LIKE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const HASH_COMMENTED = /\.(sh|ya?ml|txt)$/;

interface Repository {
  /** Every file, as a `/`-separated path from the root. */
  readonly files: ReadonlySet<string>;
  /** Every folder, the same way. */
  readonly folders: ReadonlySet<string>;
  read(file: string): string;
}

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly cited: string;
  readonly why: string;
}

function walk(folder: string, into: { files: Set<string>; folders: Set<string> }): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(ROOT, folder), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (NOT_OURS.has(entry.name) || entry.isSymbolicLink()) continue;
    const rel = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      into.folders.add(rel);
      walk(rel, into);
    } else if (entry.isFile()) {
      into.files.add(rel);
    }
  }
}

function readRepository(): Repository {
  const found = { files: new Set<string>(), folders: new Set<string>() };
  walk('', found);
  return { ...found, read: (file) => readFileSync(path.join(ROOT, file), 'utf8') };
}

/** Files whose comments are checked: the code folders, and the root's own scripts and configs. */
function codeFiles(repo: Repository): string[] {
  return [...repo.files].filter((f) => {
    const top = f.split('/')[0]!;
    return f.includes('/') ? CODE_FOLDERS.includes(top) : TS_LIKE.test(f) || HASH_COMMENTED.test(f);
  });
}

interface Comment {
  readonly pos: number;
  readonly text: string;
}

/** Every comment of a TypeScript or JavaScript file: the trivia before each token, as the compiler reads it. */
function scriptComments(file: string, text: string): Comment[] {
  const kind = /\.tsx$/.test(file)
    ? ts.ScriptKind.TSX
    : /\.(ts|mts|cts)$/.test(file)
      ? ts.ScriptKind.TS
      : /\.jsx$/.test(file)
        ? ts.ScriptKind.JSX
        : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const comments = new Map<number, Comment>();
  /** The text of JSX is not trivia: `<p>// x</p>` shows "// x" on the page. */
  const jsxTexts: Array<readonly [number, number]> = [];
  const visit = (node: ts.Node): void => {
    const children = node.getChildren(source);
    if (children.length > 0) {
      for (const child of children) visit(child);
      return;
    }
    if (node.kind === ts.SyntaxKind.JsxText) {
      jsxTexts.push([node.pos, node.end]);
      return;
    }
    // A comment on its own line leads the next token; one after code on the same line trails the token before it.
    const ranges = [
      ...(ts.getLeadingCommentRanges(text, node.pos) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.end) ?? []),
    ];
    for (const range of ranges) comments.set(range.pos, { pos: range.pos, text: text.slice(range.pos, range.end) });
  };
  visit(source);
  return [...comments.values()].filter((c) => !jsxTexts.some(([start, end]) => c.pos >= start && c.pos < end));
}

function patternComments(text: string, pattern: RegExp): Comment[] {
  return [...text.matchAll(pattern)].map((m) => ({ pos: m.index, text: m[0] }));
}

function commentsOf(file: string, text: string): Comment[] {
  if (TS_LIKE.test(file)) return scriptComments(file, text);
  if (/\.css$/.test(file)) return patternComments(text, /\/\*[\s\S]*?\*\//g);
  if (/\.(html|svg)$/.test(file)) return patternComments(text, /<!--[\s\S]*?-->/g);
  if (HASH_COMMENTED.test(file) || text.startsWith('#!')) return patternComments(text, /(?:^|\s)#.*$/gm);
  return [];
}

const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;
/** A Markdown file's name, with the path before it if any (absolute and home-relative included). */
const MARKDOWN_CITATION = /(?:~?\/)?(?:[\w.-]+\/)*[\w.-]+\.md\b/g;

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Why `cited` (a path to a file) cannot be followed from `file`, or null when it can. */
function unreachable(repo: Repository, file: string, cited: string): string | null {
  if (cited.startsWith('/') || cited.startsWith('~')) return 'an absolute path: not a file of the repository';
  for (const base of ['', path.posix.dirname(file)]) {
    const resolved = path.posix.normalize(path.posix.join(base, cited));
    if (!resolved.startsWith('../') && repo.files.has(resolved)) return null;
  }
  return 'no such file in the repository (cite it by its path from the root, e.g. docs/STORAGE.md)';
}

function markdownCitations(repo: Repository, file: string, text: string, pos: number, found: Finding[]): void {
  const bare = text.replace(URL_RE, (url) => ' '.repeat(url.length));
  for (const m of bare.matchAll(MARKDOWN_CITATION)) {
    const why = unreachable(repo, file, m[0]);
    if (why) found.push({ file, line: lineOf(repo.read(file), pos + m.index), cited: m[0], why });
  }
}

/** Comments in `file` (read from the repository unless `text` is given) that cite a Markdown file it does not hold. */
function commentFindings(repo: Repository, file: string, text = repo.read(file)): Finding[] {
  const found: Finding[] = [];
  // Only a file that names a Markdown file somewhere needs its comments read.
  if (!/\.md\b/.test(text)) return found;
  const withText: Repository = { ...repo, read: (f) => (f === file ? text : repo.read(f)) };
  for (const comment of commentsOf(file, text)) markdownCitations(withText, file, comment.text, comment.pos, found);
  return found;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function withoutFencedCode(text: string): string {
  // Keeps every line (blanked), so positions and line numbers still match the file.
  return text.replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ' '));
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFencedCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = headingSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

const TOP_FOLDERS = new Set([...CODE_FOLDERS, 'docs']);
const SOURCE_NAME = /^[\w.@-]+(?:\/[\w.@-]+)*\.(ts|tsx|mjs|cjs|js|sh)$/;

/** A code span that names a repository path (`main/…`, `docs/…`) or a source file (`verify.ts`, `stores/s3-store.ts`). */
function codeSpanProblem(repo: Repository, span: string): string | null {
  const trimmed = span.replace(/\/$/, '');
  const top = trimmed.split('/')[0]!;
  if (trimmed.includes('/') && TOP_FOLDERS.has(top) && /^[\w.@/-]+$/.test(trimmed)) {
    return repo.files.has(trimmed) || repo.folders.has(trimmed) ? null : 'no such file or folder in the repository';
  }
  if (SOURCE_NAME.test(trimmed)) {
    for (const f of repo.files) if (f === trimmed || f.endsWith(`/${trimmed}`)) return null;
    return 'no source file of that name in the repository';
  }
  return null;
}

/** Links, headings, Markdown citations and source names in a document that cannot be followed. */
function documentFindings(repo: Repository, file: string, text = repo.read(file)): Finding[] {
  const found: Finding[] = [];
  const prose = withoutFencedCode(text);
  const report = (pos: number, cited: string, why: string) => found.push({ file, line: lineOf(text, pos), cited, why });
  const folder = path.posix.dirname(file);
  for (const m of prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [where = '', anchor] = target.split('#');
    const resolved = where === '' ? file : path.posix.normalize(path.posix.join(folder, where));
    const exists =
      resolved === file || (!resolved.startsWith('../') && (repo.files.has(resolved) || repo.folders.has(resolved)));
    if (!exists) report(m.index, target, 'no such file or folder in the repository');
    else if (anchor !== undefined && resolved.endsWith('.md')) {
      const markdown = resolved === file ? text : repo.read(resolved);
      if (!anchorsOf(markdown).has(anchor)) report(m.index, target, `no heading with that anchor in ${resolved}`);
    }
  }
  // Link texts and targets were checked above; what remains may still cite a file in passing.
  const rest = prose.replace(/\[[^\]]*\]\([^)\s]+\)/g, (link) => ' '.repeat(link.length));
  for (const m of rest.matchAll(/`([^`\n]+)`/g)) {
    const why = codeSpanProblem(repo, m[1]!);
    if (why) report(m.index, m[1]!, why);
  }
  const withText: Repository = { ...repo, read: (f) => (f === file ? text : repo.read(f)) };
  markdownCitations(withText, file, rest, 0, found);
  return found;
}

function documents(repo: Repository): string[] {
  return [...repo.files].filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));
}

const describeFindings = (found: readonly Finding[]) => found.map((f) => `${f.file}:${f.line}: ${f.cited}: ${f.why}`);

describe('citations in the code', () => {
  const repo = readRepository();

  it('finds the code it is meant to read', () => {
    const files = codeFiles(repo);
    for (const expected of [
      'main/engine/archive/stores/s3-store.ts',
      'renderer/app/App.tsx',
      'scripts/with-keyring.sh',
      'bin/audit-archive.mjs',
      'test/servers/ceph-rgw.ts',
      'eslint.config.js',
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.some((f) => f.includes('node_modules'))).toBe(false);
  });

  it('every comment that names a Markdown file names one the repository holds', () => {
    const found = codeFiles(repo).flatMap((file) => commentFindings(repo, file));
    expect(describeFindings(found)).toEqual([]);
  });

  it.each([
    [
      'main/engine/archive/probe.ts',
      '/**\n * The adversary is described in ' + md('INTEGRITY') + '.\n */\nexport const a = 1;\n',
      md('INTEGRITY'),
    ],
    [
      'test/servers/probe.ts',
      'export const b = 2; // Recipe: /work/shared/docs/' + md('TEST-SERVERS') + '\n',
      '/work/shared/docs/' + md('TEST-SERVERS'),
    ],
    [
      'scripts/probe.sh',
      '#!/usr/bin/env bash\n# See docs/' + md('NOWHERE') + ' for why.\necho ok\n',
      'docs/' + md('NOWHERE'),
    ],
    [
      'renderer/probe.tsx',
      'export const P = () => (\n  <p>\n    {/* the copy is agreed in docs/' +
        md('COPY') +
        ' */}\n    text\n  </p>\n);\n',
      'docs/' + md('COPY'),
    ],
    [
      'renderer/probe.css',
      '/* colours: ../docs/' + md('COLOURS') + ' */\n.a { color: red; }\n',
      '../docs/' + md('COLOURS'),
    ],
    [
      'shared/probe.ts',
      'const t = `${1}`; /* a comment after a template: ' + md('GENESYS_AUDIT_API') + ' */\nexport const c = t;\n',
      md('GENESYS_AUDIT_API'),
    ],
  ])('a planted citation in %s is found', (file, text, cited) => {
    const found = commentFindings(repo, file, text);
    expect(found.map((f) => f.cited)).toEqual([cited]);
  });

  it('a citation the repository holds, a URL, and a Markdown name in a string or in JSX text are not findings', () => {
    const text = [
      '/** The facts: docs/STORAGE.md, and ../../../README.md from here. */',
      "export const name = 'notes/" + md('INTEGRITY') + "';",
      '// https://github.com/aws/aws-cli/blob/develop/' + md('CHANGELOG'),
      'export const t = `// not a comment: ' + md('TEMPLATE') + '`;',
      '',
    ].join('\n');
    expect(commentFindings(repo, 'main/engine/archive/probe.ts', text)).toEqual([]);
    const jsx = 'export const P = () => <p>// see ' + md('HELP') + '</p>;\n';
    expect(commentFindings(repo, 'renderer/probe.tsx', jsx)).toEqual([]);
  });
});

describe('links and names in docs/ and the README', () => {
  const repo = readRepository();

  it('the design documents are there', () => {
    for (const doc of ['ARCHITECTURE', 'THREAT-MODEL', 'STORAGE', 'GENESYS', 'COMPLIANCE', 'TESTING']) {
      expect(repo.files.has(`docs/${doc}.md`)).toBe(true);
    }
  });

  it('every link, heading anchor, Markdown citation and source file named can be followed', () => {
    const found = documents(repo).flatMap((file) => documentFindings(repo, file));
    expect(describeFindings(found)).toEqual([]);
  });

  it('planted dead links, anchors and names are found', () => {
    const text = [
      '# A planted page',
      '',
      'See [the verifier](../main/engine/archive/gone.ts), [the README](../README.md#no-such-heading),',
      '[a section here](#nowhere), `main/engine/archive/gone.ts`, `gone-too.ts` and ' + md('INTEGRITY') + '.',
      'These hold: [STORAGE](STORAGE.md#conditional-writes), [Security](../README.md#security),',
      '`main/engine/archive/verify.ts`, `stores/s3-store.ts`, `settings.json`, `dist/cli` and [here](#a-planted-page).',
      '',
      '```',
      '`main/in/a/fence.ts` is not read',
      '```',
      '',
    ].join('\n');
    const found = documentFindings(repo, 'docs/' + md('PLANTED'), text);
    expect(found.map((f) => f.cited).sort()).toEqual(
      [
        '../main/engine/archive/gone.ts',
        '../README.md#no-such-heading',
        '#nowhere',
        'main/engine/archive/gone.ts',
        'gone-too.ts',
        md('INTEGRITY'),
      ].sort(),
    );
  });
});
