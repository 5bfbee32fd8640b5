"""Screenshots of a static report site at desktop and phone widths, for a reviewer to look at
(they are written under build/, never committed).

    python bench/screenshots.py --site build/site
    python bench/screenshots.py --site build --pages demo.html --out build/screenshots

The site is served over http://127.0.0.1 (as on a web host, so its Content-Security-Policy acts
as in production) and opened in Debian's Chromium through Playwright (tests/browserkit.py;
install with ``pip install -e '.[test]'`` and ``apt-get install chromium``)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import quote

from common import ROOT  # puts the project on the import path

from tests.browserkit import DESKTOP, PHONE, BrowserUnavailable, Chromium, screenshot, serve

SIZES = {"desktop": DESKTOP, "phone": PHONE}


def default_pages(site: Path) -> list[str]:
    """index.html and the first story page (by number, then name); else every top-level page."""
    pages = ["index.html"] if (site / "index.html").is_file() else []
    stories = sorted((site / "stories").glob("*.html"),
                     key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0,
                                    p.name))
    pages += [f"stories/{stories[0].name}"] if stories else []
    return pages or sorted(p.name for p in site.glob("*.html"))


def shot_name(page: str, size: str) -> str:
    """stories/12.html at phone width -> stories-12-phone.png"""
    stem = re.sub(r"\.html?$", "", page).strip("/")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem) + f"-{size}.png"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, required=True, help="the static site's directory")
    parser.add_argument("--pages", nargs="+", metavar="PAGE",
                        help="pages to shoot, relative to --site (default: index.html and the "
                             "first story page; without either, every top-level .html)")
    parser.add_argument("--first-screen", action="store_true",
                        help="only what the first screen shows (default: the whole page)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots",
                        help="where the PNGs go (default: build/screenshots)")
    args = parser.parse_args()
    if not args.site.is_dir():
        parser.error(f"--site {args.site}: not a directory")
    pages = args.pages or default_pages(args.site)
    missing = [p for p in pages if not (args.site / p).is_file()]
    if not pages or missing:
        parser.error(f"no such page under {args.site}: {', '.join(missing) or '*.html'}")
    try:
        with Chromium() as browser, serve(args.site) as site:
            for page in pages:
                for size, (width, height) in SIZES.items():
                    out = screenshot(browser, site.url(quote(page)),
                                     args.out / shot_name(page, size), width, height,
                                     full_page=not args.first_screen)
                    print(out, flush=True)
    except BrowserUnavailable as exc:
        sys.exit(f"bench/screenshots.py: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
