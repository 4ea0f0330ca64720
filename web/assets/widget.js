// Chat widget for any portal: <script src="https://HOST/widget.js" data-title="…" data-color="#a61b1b" defer></script>
// adds a chat button that opens the assistant's page in an iframe (isolated from the host
// page's styles and scripts), loaded on first open only.
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || window.__trolyaoWidget) return;
  window.__trolyaoWidget = true;
  const origin = new URL(me.src).origin;
  const title = (me.dataset.title || 'Trợ lý ảo').slice(0, 80);
  const color = /^#([0-9a-f]{3}){1,2}$/i.test(me.dataset.color || '') ? me.dataset.color : '#a61b1b';
  const hex = color.length === 4 ? color.replace(/\w/g, '$&$&') : color;
  const lum = [1, 3, 5].map((i) => parseInt(hex.substr(i, 2), 16) / 255)
    .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);

  const host = document.createElement('div');
  host.dataset.trolyao = '';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = '<style>' +
    ':host{all:initial}' +
    'button{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;display:flex;align-items:center;gap:.4rem;' +
    'font:600 1rem/1.2 system-ui,sans-serif;padding:.75rem 1.1rem;border:0;border-radius:2rem;cursor:pointer;' +
    'box-shadow:0 2px 10px rgba(0,0,0,.3)}' +
    'button:focus-visible{outline:3px solid #0a58ca;outline-offset:3px}' +
    'div{position:fixed;right:1rem;bottom:5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));' +
    'height:min(40rem,calc(100vh - 7rem));border-radius:.75rem;overflow:hidden;box-shadow:0 4px 24px rgba(0,0,0,.35);background:#fff}' +
    'div[hidden]{display:none}' +
    'iframe{border:0;width:100%;height:100%}' +
    '@media (max-width:30rem){div{inset:0;width:auto;height:auto;border-radius:0}.open{display:none}}' +
    '</style><button type="button" aria-expanded="false" aria-controls="p"><span aria-hidden="true">💬</span><span></span></button>' +
    '<div id="p" role="dialog" hidden><iframe></iframe></div>';
  const btn = root.querySelector('button');
  const panel = root.querySelector('div');
  const frame = root.querySelector('iframe');
  btn.style.background = color;
  btn.style.color = lum > 0.179 ? '#000' : '#fff';
  btn.lastChild.textContent = title;
  panel.setAttribute('aria-label', title);
  frame.title = title;

  const toggle = (open) => {
    if (open && !frame.src) {
      frame.src = origin + '/?embed=1&title=' + encodeURIComponent(title) + '&color=' + encodeURIComponent(color);
    }
    panel.hidden = !open;
    btn.classList.toggle('open', open);
    btn.setAttribute('aria-expanded', String(open));
    (open ? frame : btn).focus();
  };
  btn.onclick = () => toggle(panel.hidden);
  addEventListener('message', (e) => {
    if (e.origin === origin && e.source === frame.contentWindow && e.data && e.data.trolyao === 'close') toggle(false);
  });
  (document.body || document.documentElement).append(host);
})();
