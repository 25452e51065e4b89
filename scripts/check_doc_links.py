"""Checks that the Markdown files refer only to files that are in the repository.

For every tracked *.md file it checks
  - relative links and images, [text](path) and ![alt](path): the path must be tracked (a file, or
    a folder holding tracked files), and a #fragment into a Markdown file (or within the same one)
    must name one of its headings (GitHub's anchors);
  - Markdown file names in plain text (DESIGN.md), looked up as backticked paths are;
  - backticked repository paths, `scripts/test.sh`, `docs/`, `train/README.md`: code spans that
    look like a path (a '/' and a file extension, or a trailing '/', or a bare script or source
    file name) are looked up from the repository root and from the Markdown file's folder, and
    else as the end of a tracked path (a path named in its context: the page's `static/`).
A path that git ignores (server/target/..., .tools/bin, .bench-models/) is something a command
makes, not a file of the repository, and is skipped; so are placeholders (<id>, *, NNNN, ...),
absolute paths (/metrics, /tmp/...) and code spans inside fenced blocks. "In the repository"
means tracked by git, as a fresh clone has it, not merely present in this work tree. A file of
another project named in a doc is declared on its line or the line before with
<!-- not in this repository: path, path -->.

    python3 scripts/check_doc_links.py          # from anywhere; exit 1 and one line per problem
"""
import pathlib
import re
import subprocess
import sys
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[1]

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
FOREIGN = re.compile(r"<!--\s*not in this repository:\s*(.*?)\s*-->")
PROSE_MD = re.compile(r"(?<![\w/:.-])((?:[\w.-]+/)*[\w-]+\.md)\b")  # DESIGN.md in plain text
PATHLIKE = re.compile(r"^[A-Za-z0-9_.\-/]+$")
PLACEHOLDER = re.compile(r"[<>*{}$…]|NNNN|\.\.\.")
# Extensions of files a doc may name by their bare name; with a '/', any of FILE_EXT.
SOURCE_EXT = {"md", "py", "sh", "java", "mjs", "ts", "proto", "yaml", "yml", "xml"}
FILE_EXT = SOURCE_EXT | {"json", "png", "txt", "onnx", "npy", "html", "css", "toml", "properties", "npz", "gif"}


def git(*args, stdin=None):
    result = subprocess.run(["git", *args], cwd=ROOT, input=stdin, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"check_doc_links: git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def check_ignore(paths):
    listed = "".join(p + "\n" for p in sorted(paths))
    return set(git("check-ignore", "--no-index", "--stdin", stdin=listed).split("\n")) - {""}


def ignored(paths):
    """The paths git ignores, asking one depth at a time so that a symlinked folder (.tools in a
    work tree that links it) is settled before git is asked about paths beyond it."""
    result, pending, depth = set(), {p: p.split("/") for p in paths}, 1
    while pending:
        prefixes = {"/".join(parts[:depth]) for parts in pending.values()}
        hit = check_ignore(prefixes)
        # A pattern for folders only (/.bench-models/) matches a folder that does not exist here
        # only when git is asked about a path inside it.
        hit |= {h[:-2] for h in check_ignore({q + "/_" for q in prefixes - hit})}
        for p, parts in list(pending.items()):
            if "/".join(parts[:depth]) in hit:
                result.add(p)
                del pending[p]
            elif len(parts) <= depth:
                del pending[p]
        depth += 1
    return result


def normalize(base, path):
    """base/path with '.' and '..' resolved and no trailing '/'; None when it leaves the root."""
    parts = []
    for part in pathlib.PurePosixPath(base, path).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def anchor(heading):
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM").replace(" ", "-")


def scan(text):
    """The file's anchors, and (line, kind, target) for its links and code spans outside fences."""
    anchors, seen, refs, foreign = set(), {}, [], set()
    in_fence = False
    for n, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        declared = FOREIGN.search(line)
        if declared:
            foreign |= {(n, p.strip()) for p in declared.group(1).split(",")}
            foreign |= {(n + 1, p.strip()) for p in declared.group(1).split(",")}
        h = HEADING.match(line)
        if h:
            a = anchor(h.group(1))
            k = seen.get(a, 0)
            seen[a] = k + 1
            anchors.add(a if k == 0 else f"{a}-{k}")
        spans = [(m.start(), m.end()) for m in CODE_SPAN.finditer(line)]
        for m in LINK.finditer(line):
            if not any(s <= m.start() < e for s, e in spans):
                refs.append((n, "link", m.group(1)))
        for m in CODE_SPAN.finditer(line):
            if (n, m.group(2).strip()) not in foreign:
                refs.append((n, "code", m.group(2).strip()))
        prose = LINK.sub(" ", CODE_SPAN.sub(" ", FOREIGN.sub(" ", line)))
        for m in PROSE_MD.finditer(prose):
            if (n, m.group(1)) not in foreign:
                refs.append((n, "text", m.group(1)))
    return anchors, refs


def candidate(span):
    """The repository path a code span names, or None."""
    if not PATHLIKE.match(span) or PLACEHOLDER.search(span):
        return None
    if span.startswith(("/", "-")) or re.fullmatch(r"\.[A-Za-z0-9]+", span):
        return None  # an absolute path (/metrics, /tmp/x), a flag, or an extension (.png)
    last = span.rstrip("/").rsplit("/", 1)[-1]
    ext = last.rsplit(".", 1)[-1] if "." in last else ""
    if span.endswith("/"):
        return span
    if "/" in span:
        return span if ext in FILE_EXT else None  # not pfgm.v1.Generator/Generate
    return span if ext in SOURCE_EXT else None


def main():
    files = set(git("ls-files", "-z").split("\0")) - {""}
    folders = {str(p) for f in files for p in pathlib.PurePosixPath(f).parents}
    docs = sorted(f for f in files if f.endswith(".md"))
    anchors, refs, checks = {}, {}, []
    for doc in docs:
        anchors[doc], refs[doc] = scan((ROOT / doc).read_text(encoding="utf-8"))
    for doc in docs:
        base = str(pathlib.PurePosixPath(doc).parent)
        for n, kind, target in refs[doc]:
            if kind == "link":
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue  # http:, https:, mailto:
                path, _, frag = target.partition("#")
                names = [normalize(base, path) if path else doc]
            elif kind == "text":
                path, frag = target, ""
                names = [normalize(base, path), normalize("", path)]
            else:
                path, frag = candidate(target), ""
                if not path:
                    continue
                names = [normalize(base, path), normalize("", path)]
            checks.append((doc, n, kind, target, path, frag, [m for m in dict.fromkeys(names) if m is not None]))
    skip = ignored({m for *_, names in checks for m in names if m})
    problems = []
    for doc, n, kind, target, path, frag, names in checks:
        if any(m in skip for m in names):
            continue
        found = next((m for m in names if m in files or m in folders), None)
        if found is None and kind in ("code", "text"):
            tail = "/" + path.rstrip("/")
            found = next((f for f in sorted(files | folders) if f.endswith(tail)), None)
        if found is None:
            problems.append(f"{doc}:{n}: {kind} '{target}': not in the repository "
                            f"(looked for {' and '.join(names) or 'a path outside it'}; untracked files do not count)")
        elif frag and found.endswith(".md") and frag not in anchors.get(found, set()):
            problems.append(f"{doc}:{n}: {kind} '{target}': {found} has no heading with anchor #{frag}")
    for p in problems:
        print(p)
    print(f"check_doc_links: {len(docs)} Markdown files, {len(checks)} references, "
          f"{len(checks) - len(problems)} fine, {len(problems)} broken", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
