#!/usr/bin/env python3
"""Check samples/rag: the corpus, qa.jsonl and the PDFs' sources. Standard library only.

    python3 samples/rag/tools/check.py        exit 0 when every check passes, 1 otherwise

Checks:
  corpus/   file names are ids (lowercase letters, digits, hyphens) with a .md, .txt, .html
            or .pdf extension; at least 50 documents; every format present, with at least 8
            HTML and 2 PDF files; each document 150-600 words; each HTML page has a <title>;
            each PDF has its source in tools/<id>.txt and its text, read back from the PDF
            (make_pdf.extract: xref offsets, stream lengths, Flate, text operators), equals
            that source.
  qa.jsonl  every line parses as a JSON object with exactly the fields id, query, reference,
            relevant_ids, response, contexts; ids unique; at least 60 cases; every relevant id
            names a document in corpus/; 1-3 contexts, each a substring of the text of one of
            the case's relevant documents, and every relevant document holds at least one of
            the case's contexts.

A document's text, for these comparisons: .md and .txt as written; .html its visible text
(tags removed, script and style dropped, entities decoded); .pdf the source in tools/<id>.txt.
Whitespace is collapsed to single spaces on both sides before comparing.
"""
import html.parser
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "corpus")
QA = os.path.join(ROOT, "qa.jsonl")
FORMATS = ("md", "txt", "html", "pdf")
FIELDS = {"id", "query", "reference", "relevant_ids", "response", "contexts"}

sys.path.insert(0, HERE)
import make_pdf  # noqa: E402  (same folder, standard library only)


class _Visible(html.parser.HTMLParser):
    SKIP = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping, self.title = [], 0, None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        self._in_title = tag == "title"
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        self._in_title = False
        self.parts.append(" ")

    def handle_data(self, data):
        if self._in_title:
            self.title = (self.title or "") + data
        if not self.skipping:
            self.parts.append(data)


def norm(s):
    return " ".join(s.split())


def document_text(path):
    """Return (text, title or None) of one corpus file, whitespace collapsed."""
    ext = path.rsplit(".", 1)[1]
    if ext == "pdf":
        doc_id = os.path.basename(path)[:-4]
        with open(os.path.join(HERE, doc_id + ".txt"), encoding="utf-8") as f:
            return norm(f.read()), None
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    if ext == "html":
        p = _Visible()
        p.feed(raw)
        p.close()
        return norm("".join(p.parts)), p.title
    return norm(raw), None


def main():
    errors = []

    def fail(msg):
        errors.append(msg)

    # ---- corpus
    docs, counts = {}, {f: 0 for f in FORMATS}
    for name in sorted(os.listdir(CORPUS)):
        m = re.fullmatch(r"([a-z0-9]+(?:-[a-z0-9]+)*)\.([a-z]+)", name)
        if not m or m.group(2) not in FORMATS:
            fail("corpus/%s: name is not <id>.<md|txt|html|pdf> with a lowercase, hyphenated id" % name)
            continue
        doc_id, ext = m.groups()
        if doc_id in docs:
            fail("corpus/%s: id %r used by two files" % (name, doc_id))
        path = os.path.join(CORPUS, name)
        if ext == "pdf":
            src = os.path.join(HERE, doc_id + ".txt")
            if not os.path.exists(src):
                fail("corpus/%s: no source tools/%s.txt" % (name, doc_id))
                continue
            try:
                with open(path, "rb") as f:
                    _, lines = make_pdf.extract(f.read())
            except Exception as e:  # any structural problem
                fail("corpus/%s: not a readable PDF: %s" % (name, e))
                continue
            with open(src, encoding="utf-8") as f:
                if norm(" ".join(lines)) != norm(f.read()):
                    fail("corpus/%s: text differs from tools/%s.txt (run make_pdf.py --all)" % (name, doc_id))
        text, title = document_text(path)
        if ext == "html" and not (title or "").strip():
            fail("corpus/%s: no <title>" % name)
        words = len(text.split())
        if not 150 <= words <= 600:
            fail("corpus/%s: %d words, outside 150-600" % (name, words))
        docs[doc_id] = text
        counts[ext] += 1
    if len(docs) < 50:
        fail("corpus: %d documents, fewer than 50" % len(docs))
    for ext in FORMATS:
        if counts[ext] == 0:
            fail("corpus: no .%s document" % ext)
    if counts["html"] < 8:
        fail("corpus: %d HTML documents, fewer than 8" % counts["html"])
    if counts["pdf"] < 2:
        fail("corpus: %d PDF documents, fewer than 2" % counts["pdf"])

    # ---- qa.jsonl
    seen, cases, by_docs, cited = set(), 0, {}, set()
    with open(QA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = "qa.jsonl:%d" % n
            if not line.strip():
                fail(where + ": blank line")
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as e:
                fail("%s: not JSON: %s" % (where, e))
                continue
            if not isinstance(case, dict) or set(case) != FIELDS:
                fail("%s: fields must be exactly %s" % (where, sorted(FIELDS)))
                continue
            cases += 1
            cid = case["id"]
            where += " (%s)" % cid
            if not isinstance(cid, str) or not re.fullmatch(r"q\d{3}", cid):
                fail(where + ": id must look like q001")
            if cid in seen:
                fail(where + ": duplicate id")
            seen.add(cid)
            for key in ("query", "reference", "response"):
                if not isinstance(case[key], str) or not case[key].strip():
                    fail("%s: %s must be a non-empty string" % (where, key))
            rel, ctx = case["relevant_ids"], case["contexts"]
            if not isinstance(rel, list) or not rel or not all(isinstance(r, str) for r in rel) or len(set(rel)) != len(rel):
                fail(where + ": relevant_ids must be a non-empty list of distinct strings")
                continue
            if not isinstance(ctx, list) or not 1 <= len(ctx) <= 3 or not all(isinstance(c, str) and c.strip() for c in ctx):
                fail(where + ": contexts must be a list of 1-3 non-empty strings")
                continue
            missing = [r for r in rel if r not in docs]
            if missing:
                fail("%s: relevant ids not in corpus/: %s" % (where, missing))
                continue
            by_docs[len(rel)] = by_docs.get(len(rel), 0) + 1
            cited.update(rel)
            used = set()
            for c in ctx:
                holders = [r for r in rel if norm(c) in docs[r]]
                if not holders:
                    fail("%s: context is not a substring of any relevant document: %r" % (where, c[:80]))
                used.update(holders)
            for r in rel:
                if r not in used:
                    fail("%s: relevant document %s holds none of the contexts" % (where, r))
    if cases < 60:
        fail("qa.jsonl: %d cases, fewer than 60" % cases)

    print("corpus: %d documents (%s)" % (len(docs), ", ".join("%d %s" % (counts[e], e) for e in FORMATS)))
    print("qa.jsonl: %d cases (%s); %d documents cited, %d never cited" % (
        cases, ", ".join("%d with %d relevant document%s" % (v, k, "" if k == 1 else "s") for k, v in sorted(by_docs.items())),
        len(cited), len(set(docs) - cited)))
    for e in errors:
        print("FAIL " + e)
    print("ok" if not errors else "%d problem(s)" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
