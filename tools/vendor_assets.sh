#!/usr/bin/env bash
# Fetch the site's JavaScript assets from the npm registry into _vendor/static/ (git-ignored),
# so the built site renders equations and widgets without a network:
#   MathJax 3 (equations), require.js and the Jupyter widgets HTML manager (embedded widgets).
# Without npm, write small loaders that fetch the same files from their CDNs instead, and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
MATHJAX=mathjax@3.2.2
MANAGER=@jupyter-widgets/html-manager@1.0.15
REQUIREJS=requirejs@2.3.8
DEST=_vendor/static
STAMP=_vendor/.stamp-$(echo "$MATHJAX $MANAGER $REQUIREJS" | md5sum | cut -c1-12)

[ -f "$STAMP" ] && exit 0
rm -rf _vendor
mkdir -p "$DEST/mathjax" "$DEST/widgets"

if command -v npm >/dev/null 2>&1 && (cd _vendor && npm pack --silent "$MATHJAX" "$MANAGER" "$REQUIREJS" >/dev/null 2>&1); then
  for tgz in _vendor/*.tgz; do
    dir="${tgz%.tgz}"; mkdir -p "$dir"; tar xzf "$tgz" -C "$dir"; rm "$tgz"
  done
  cp -r _vendor/mathjax-*/package/es5/. "$DEST/mathjax/"
  cp -r _vendor/jupyter-widgets-html-manager-*/package/dist/. "$DEST/widgets/"
  rm -f "$DEST"/widgets/*.map
  cp _vendor/requirejs-*/package/require.js "$DEST/require.js"
  rm -rf _vendor/mathjax-* _vendor/jupyter-widgets-html-manager-* _vendor/requirejs-*
  echo "vendored $MATHJAX, $MANAGER and $REQUIREJS into $DEST: the site works offline"
else
  echo "npm unavailable: the site will load MathJax and the widget manager from their CDNs (needs a network to view)"
  cat > "$DEST/mathjax/tex-chtml.js" <<'JS'
(function () { var s = document.createElement("script"); s.async = true;
  s.src = "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-chtml.js"; document.head.appendChild(s); })();
JS
  echo 'document.write("<script src=\"https://cdn.jsdelivr.net/npm/requirejs@2.3.8/require.js\"><\/script>");' > "$DEST/require.js"
  echo 'document.write("<script src=\"https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js\" crossorigin=\"anonymous\"><\/script>");' > "$DEST/widgets/embed-amd.js"
fi
touch "$STAMP"
