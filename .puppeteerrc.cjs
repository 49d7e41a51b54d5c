// whatsapp-web.js pulls in puppeteer; never let its postinstall download a browser:
// Debian's Chromium (/usr/bin/chromium, CHROMIUM_PATH) is used instead.
module.exports = { skipDownload: true };
