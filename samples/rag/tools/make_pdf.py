#!/usr/bin/env python3
"""Write a minimal, valid PDF with real, extractable text. Standard library only.

Usage:
    make_pdf.py SOURCE.txt OUT.pdf      build one PDF from a plain-text source
    make_pdf.py --all                   rebuild every tools/*.txt into ../corpus/<name>.pdf
    make_pdf.py --check OUT.pdf [SOURCE.txt]
                                        parse the PDF back (xref offsets, streams, text
                                        operators) and, given the source, compare the text

Source format: the first line is the title (set in Helvetica-Bold, 16 pt) and becomes the
document's /Title; the rest is paragraphs separated by blank lines, set in Helvetica 11 pt on
US Letter pages, word-wrapped, over as many pages as needed. One text-show operator per line,
so a PDF reader extracts the source's words in order. Content streams are Flate-compressed
(pass --plain to leave them uncompressed for reading by eye). Text is encoded as
WinAnsiEncoding (cp1252); characters outside it are refused.
"""
import os
import re
import sys
import zlib

PAGE_W, PAGE_H = 612, 792          # US Letter, points
MARGIN = 72
BODY_SIZE, BODY_LEADING = 11, 15
TITLE_SIZE, TITLE_LEADING = 16, 24

# Advance widths (1/1000 em) of Helvetica for printable ASCII 32..126, from the standard
# Adobe font metrics; used only to wrap lines so they fit between the margins.
_HELV = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
         556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
         1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
         667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
         333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
         556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]


def text_width(s, size):
    total = 0
    for ch in s:
        o = ord(ch)
        total += _HELV[o - 32] if 32 <= o <= 126 else 600   # conservative for others
    return total * size / 1000.0


def wrap(paragraph, size, width, bold=False):
    scale = 1.08 if bold else 1.0      # bold is a little wider; stay on the safe side
    words = paragraph.split()
    lines, cur = [], ""
    for w in words:
        cand = w if not cur else cur + " " + w
        if text_width(cand, size) * scale <= width or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    return lines


def pdf_string(s):
    b = s.encode("cp1252")            # raises on characters WinAnsi cannot show
    out = bytearray(b"(")
    for c in b:
        if c in (0x28, 0x29, 0x5C):   # ( ) \
            out += b"\\" + bytes([c])
        elif c < 32 or c > 126:
            out += b"\\%03o" % c
        else:
            out.append(c)
    out += b")"
    return bytes(out)


def layout(text):
    """Return a list of pages; each page is a list of (font, size, x, y, line)."""
    raw = text.replace("\r\n", "\n").strip("\n")
    title, _, rest = raw.partition("\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", rest) if p.strip()]
    usable = PAGE_W - 2 * MARGIN
    pages, page = [], []
    y = PAGE_H - MARGIN

    def newline(leading):
        nonlocal y, page
        if y - leading < MARGIN:
            pages.append(page)
            page = []
            y = PAGE_H - MARGIN
        y -= leading
        return y

    for line in wrap(title.strip(), TITLE_SIZE, usable, bold=True):
        y_line = newline(TITLE_LEADING)   # may start a new page: call before touching `page`
        page.append(("F2", TITLE_SIZE, MARGIN, y_line, line))
    for para in paragraphs:
        y -= BODY_LEADING / 2          # paragraph gap
        for line in wrap(" ".join(para.split()), BODY_SIZE, usable):
            y_line = newline(BODY_LEADING)
            page.append(("F1", BODY_SIZE, MARGIN, y_line, line))
    if page:
        pages.append(page)
    return title.strip(), pages


def build(text, compress=True):
    title, pages = layout(text)
    objects = {}                       # number -> bytes (body between "obj" and "endobj")
    n_pages = len(pages)
    first_page = 6
    kids = [first_page + 2 * i for i in range(n_pages)]
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + \
        b"] /Count %d >>" % n_pages
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    objects[5] = b"<< /Title " + pdf_string(title) + b" /Producer (Sluice samples make_pdf.py) >>"
    for i, page in enumerate(pages):
        ops = []
        for font, size, x, y, line in page:
            ops.append(b"BT /%s %d Tf %d %.1f Td %s Tj ET" % (font.encode(), size, x, y, pdf_string(line)))
        stream = b"\n".join(ops) + b"\n"
        if compress:
            data = zlib.compress(stream, 9)
            head = b"<< /Length %d /Filter /FlateDecode >>" % len(data)
        else:
            data = stream
            head = b"<< /Length %d >>" % len(data)
        page_no, content_no = kids[i], kids[i] + 1
        objects[page_no] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
                            % (PAGE_W, PAGE_H, content_no))
        objects[content_no] = head + b"\nstream\n" + data + b"\nendstream"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    count = max(objects) + 1
    for num in range(1, count):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % count
    out += b"0000000000 65535 f \n"
    for num in range(1, count):
        out += b"%010d 00000 n \n" % offsets[num]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref_at)
    return bytes(out), n_pages


# ---------------------------------------------------------------- checking

def _unescape(body):
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == 0x5C:
            nxt = body[i + 1]
            if 0x30 <= nxt <= 0x37:
                j = i + 1
                while j < len(body) and j < i + 4 and 0x30 <= body[j] <= 0x37:
                    j += 1
                out.append(int(body[i + 1:j], 8))
                i = j
                continue
            out.append({ord("n"): 10, ord("r"): 13, ord("t"): 9}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return out.decode("cp1252")


def extract(pdf):
    """Check structure and return (page count, extracted text lines). Raises on errors."""
    assert pdf.startswith(b"%PDF-1."), "missing header"
    assert pdf.rstrip().endswith(b"%%EOF"), "missing %%EOF"
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf)
    assert m, "missing startxref"
    xref_at = int(m.group(1))
    assert pdf[xref_at:xref_at + 4] == b"xref", "startxref does not point at xref"
    m = re.match(rb"xref\s+0 (\d+)\s+", pdf[xref_at:])
    count = int(m.group(1))
    pos = xref_at + m.end()
    offsets = {}
    for num in range(count):
        entry = pdf[pos:pos + 20]
        assert len(entry) == 20 and entry[17:18] in (b"n", b"f"), "bad xref entry %d" % num
        if entry[17:18] == b"n":
            offsets[num] = int(entry[:10])
        pos += 20
    objs = {}
    for num, off in offsets.items():
        head = b"%d 0 obj" % num
        assert pdf[off:off + len(head)] == head, "xref offset of object %d is wrong" % num
        end = pdf.index(b"endobj", off)
        objs[num] = pdf[off + len(head):end]
    root = re.search(rb"/Root (\d+) 0 R", pdf[xref_at:]).group(1)
    pages_ref = re.search(rb"/Pages (\d+) 0 R", objs[int(root)]).group(1)
    kids = [int(k) for k in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[([^\]]*)\]", objs[int(pages_ref)]).group(1))]
    lines = []
    for kid in kids:
        content = int(re.search(rb"/Contents (\d+) 0 R", objs[kid]).group(1))
        body = objs[content]
        length = int(re.search(rb"/Length (\d+)", body).group(1))
        start = body.index(b"stream\n") + len(b"stream\n")
        data = body[start:start + length]
        assert body[start + length:].strip() == b"endstream", "stream /Length is wrong in object %d" % content
        if b"/FlateDecode" in body[:start]:
            data = zlib.decompress(data)
        ys = [float(y) for y in re.findall(rb"(-?[\d.]+) Td \(", data)]
        assert all(a > b for a, b in zip(ys, ys[1:])), "lines of page object %d are not top to bottom" % kid
        assert all(MARGIN <= y <= PAGE_H - MARGIN for y in ys), "a line of page object %d is outside the margins" % kid
        for s in re.findall(rb"\((.*?)(?<!\\)\) Tj", data):
            lines.append(_unescape(s))
    return len(kids), lines


def norm(s):
    return " ".join(s.split())


def check(pdf_path, source_path=None):
    with open(pdf_path, "rb") as f:
        pages, lines = extract(f.read())
    text = norm(" ".join(lines))
    ok = True
    if source_path:
        with open(source_path, encoding="utf-8") as f:
            src = norm(f.read())
        ok = text == src
    print("%s: %d page(s), %d lines, %d words, %s" % (
        os.path.basename(pdf_path), pages, len(lines), len(text.split()),
        "text matches source" if source_path and ok else ("TEXT DIFFERS FROM SOURCE" if source_path else "structure ok")))
    return ok


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    compress = "--plain" not in argv
    argv = [a for a in argv if a != "--plain"]
    if argv[:1] == ["--check"]:
        return 0 if check(*argv[1:3]) else 1
    if argv[:1] == ["--all"]:
        corpus = os.path.join(here, "..", "corpus")
        names = sorted(n for n in os.listdir(here) if n.endswith(".txt"))
        bad = 0
        for n in names:
            src = os.path.join(here, n)
            out = os.path.join(corpus, n[:-4] + ".pdf")
            with open(src, encoding="utf-8") as f:
                data, pages = build(f.read(), compress)
            with open(out, "wb") as f:
                f.write(data)
            bad += 0 if check(out, src) else 1
        return 1 if bad else 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        data, pages = build(f.read(), compress)
    with open(argv[1], "wb") as f:
        f.write(data)
    return 0 if check(argv[1], argv[0]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
