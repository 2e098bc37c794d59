#!/usr/bin/env bash
# Tags a release: vX.Y.Z on the current commit, and moves the major tag
# (v1) to it, which is what users' `uses: …@v1` resolves to.
set -euo pipefail

version=${1:-}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "usage: scripts/release.sh X.Y.Z" >&2
  exit 2
fi
major="v${version%%.*}"
tag="v$version"

cd "$(git rev-parse --show-toplevel)"
if [ -n "$(git status --porcelain)" ]; then
  echo "The working tree has changes; commit or stash them first." >&2
  exit 1
fi
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  echo "Tag $tag exists already." >&2
  exit 1
fi

npm ci
npm run bundle
if [ -n "$(git status --porcelain dist)" ]; then
  echo "dist/ differs from a fresh bundle; commit the rebuilt dist/ first." >&2
  exit 1
fi
npm test

npm version "$version" --no-git-tag-version >/dev/null
git commit -qam "Release $tag"
git tag -a "$tag" -m "Release $tag"
git tag -fa "$major" -m "Latest $major release: $tag"
echo "Tagged $tag and moved $major. Push with:"
echo "  git push origin HEAD $tag && git push -f origin $major"
