#!/usr/bin/env bash
# Installs the Debian packages exhibit needs, only those that are missing (idempotent, quiet when all is there).
set -euo pipefail
PKGS=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-uig tesseract-ocr-eng
      tesseract-ocr-osd tesseract-ocr-script-arab
      poppler-utils fonts-wqy-microhei fonts-noto-core fonts-dejavu-core ripgrep chromium postgresql libmagic1 zip
      libarchive13 7zip openjdk-17-jre-headless)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
