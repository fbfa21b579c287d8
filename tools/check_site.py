"""Check the built site in headless Chromium with the network off, as a reader would see it.

Serves ``_build/html`` on 127.0.0.1, starts Debian's Chromium through its
ChromeDriver with every other host unresolvable, and for every page of the
table of contents checks that:

- the equations rendered: every ``.math`` element holds MathJax output and no
  raw ``$$``, ``\\[`` or ``\\(`` is left in the text;
- every image loaded, and every figure image has alt text;
- every animation has its play button and slider, and playing it advances it;
- every embedded widget view rendered;
- the previous/next links and the download buttons (.ipynb, .md) resolve;

then that the search page finds results, and saves a screenshot of each page
into ``_build/screenshots/``. Prints one line per page and exits non-zero on
any failure. Run by ``make check-site`` (after ``make book``).
"""

from __future__ import annotations

import functools
import http.server
import pathlib
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve():
    handler = functools.partial(_Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600", f"--user-data-dir={profile}",
                 # the network is off: no host but this machine resolves
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def toc_pages():
    toc = (ROOT / "_toc.yml").read_text()
    return [re.search(r"root:\s*(\S+)", toc).group(1)] + re.findall(r"file:\s*(\S+)", toc)


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except Exception as exc:  # noqa: BLE001 - any failure is a broken link
        return getattr(exc, "code", 0)


WAIT_JS = """
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function poll() {
  const mj = window.MathJax && MathJax.startup && MathJax.startup.promise;
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length;
  const rendered = document.querySelectorAll('.jupyter-widgets.widget-container, .widget-image, .widget-vbox').length;
  const mathDone = !document.querySelector('.math') || document.querySelector('mjx-container');
  if ((mathDone && (views === 0 || rendered > 0)) || Date.now() - t0 > 20000) {
    if (mj) { mj.then(() => done(true)).catch(() => done(false)); } else { done(true); }
  } else { setTimeout(poll, 200); }
})();
"""

PAGE_JS = """
const text = document.querySelector('main') ? document.querySelector('main').innerText : document.body.innerText;
const maths = [...document.querySelectorAll('.math')];
const imgs = [...document.querySelectorAll('main img')];
// figure images need alt text; a widget's picture is drawn by the widget manager, which
// sets none (ipywidgets' Image has no alt), and its explorer states in words what it shows
const figImgs = [...document.querySelectorAll('main figure img, main .cell_output img')]
    .filter(i => !i.closest('.jupyter-widgets'));
const anims = [...document.querySelectorAll('.gd-animation')];
return {
  math: maths.length,
  mathRendered: maths.filter(m => m.querySelector('mjx-container')).length,
  rawTex: ['$$', '\\\\[', '\\\\('].filter(s => text.includes(s)),
  images: imgs.length,
  broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
  noAlt: figImgs.filter(i => !(i.alt && i.alt.trim())).length,
  animations: anims.length,
  animControls: anims.filter(a => a.querySelector('button') && a.querySelector('input[type=range]')).length,
  views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
  viewsRendered: document.querySelectorAll('.widget-image img, .jupyter-widgets .widget-slider, .widget-vbox').length,
  prev: (document.querySelector('a.prev-page') || {}).href || null,
  next: (document.querySelector('a.next-page') || {}).href || null,
  downloads: [...document.querySelectorAll('.dropdown-download-buttons a, a.btn-download-source-button')]
      .map(a => a.href).filter(h => h && !h.startsWith('javascript')),
};
"""


def check_page(driver, base, page):
    url = f"{base}/{page}.html"
    driver.get(url)
    driver.set_script_timeout(30)
    driver.execute_async_script(WAIT_JS)
    info = driver.execute_script(PAGE_JS)
    problems = []
    if info["math"] and info["mathRendered"] < info["math"]:
        problems.append(f"{info['math'] - info['mathRendered']} of {info['math']} equations not rendered")
    if info["rawTex"]:
        problems.append(f"raw TeX left in the text: {info['rawTex']}")
    if info["broken"]:
        problems.append(f"{len(info['broken'])} images did not load: {info['broken'][:2]}")
    if info["noAlt"]:
        problems.append(f"{info['noAlt']} figure images without alt text")
    if info["animControls"] < info["animations"]:
        problems.append("an animation lacks its controls")
    if info["animations"]:
        driver.execute_script("document.querySelector('.gd-animation button').click()")
        time.sleep(1.0)
        value = driver.execute_script("return +document.querySelector('.gd-animation input[type=range]').value")
        if value <= 0:
            problems.append("pressing play did not advance the animation")
    if info["views"] and info["viewsRendered"] == 0:
        problems.append(f"{info['views']} widget views embedded, none rendered")
    for link in [info["prev"], info["next"]] + info["downloads"]:
        if link and link.startswith(base) and status(link.split("#")[0]) != 200:
            problems.append(f"broken link {link}")
    downloads = [d for d in info["downloads"] if d.endswith((".ipynb", ".md"))]
    if not downloads:
        problems.append("no .ipynb/.md download button")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(SHOTS / (page.replace("/", "_") + ".png")))
    summary = (f"{info['mathRendered']}/{info['math']} equations, {info['images']} images, "
               f"{info['animations']} animations, {info['viewsRendered']} widget parts for {info['views']} views, "
               f"{len(downloads)} downloads")
    return problems, summary


def check_search(driver, base):
    driver.get(f"{base}/search.html?q=momentum")
    for _ in range(50):
        n = driver.execute_script("return document.querySelectorAll('#search-results li, ul.search li').length")
        if n:
            return [], f"search for 'momentum': {n} results"
        time.sleep(0.2)
    return ["search for 'momentum' found nothing"], "search: no results"


def main():
    if not (SITE / "index.html").exists():
        sys.exit("no site in _build/html: run `make book` first")
    missing = [p for p in (CHROMIUM, DRIVER) if not pathlib.Path(p).exists()]
    if missing:
        sys.exit(f"{' and '.join(missing)} not found: install Debian's packages with "
                 "`sudo apt-get install chromium chromium-driver` (a test tool's own browser download "
                 "does not work offline)")
    httpd, base = serve()
    profile = tempfile.mkdtemp(prefix="gdcore-chromium-")
    driver = browser(profile)
    failures = 0
    try:
        for page in toc_pages():
            problems, summary = check_page(driver, base, page)
            failures += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {page}: {summary}")
            for p in problems:
                print(f"     - {p}")
        problems, summary = check_search(driver, base)
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {summary}")
    finally:
        driver.quit()
        httpd.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    pages = len(toc_pages()) + 1
    print(f"{pages - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
