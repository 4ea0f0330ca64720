// Chat widget for any portal: <script src="https://HOST/widget.js" data-title="…" data-color="#0b5394" defer></script>
// adds a chat button that opens the assistant's page in an iframe (isolated from the host
// page's styles and scripts), loaded on first open only. Title and colour are the tag's
// data- attributes, else the server's: GET /widget-config gives them with the hotline, and
// tells whether this page's origin may frame the assistant. When the assistant cannot be
// loaded (server down, origin not in ASSISTANT_ALLOWED_ORIGINS, no page within 8 s), the
// panel says so here, with a retry button and the hotline. The panel's close button and
// Escape belong to this page, so a broken frame never traps a phone user.
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || window.__trolyaoWidget) return;
  window.__trolyaoWidget = true;
  const origin = new URL(me.src).origin;
  const TIMEOUT = 8000; // ms, for the settings and for the page to load
  const isColor = (c) => typeof c === 'string' && /^#([0-9a-f]{3}){1,2}$/i.test(c);
  const own = { title: (me.dataset.title || '').trim().slice(0, 80), color: isColor(me.dataset.color) ? me.dataset.color : '' };
  // The server's settings: these stand in until it answers, and when it cannot be reached.
  const server = { title: 'Trợ lý ảo dịch vụ công', color: '#a61b1b', hotline: 'Tổng đài dịch vụ công 1900 1096', tel: '19001096' };

  const host = document.createElement('div');
  host.dataset.trolyao = '';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = '<style>' +
    ':host{all:initial}[hidden]{display:none!important}' +
    'button{cursor:pointer;background:var(--a);color:var(--on)}' +
    'button:focus-visible{outline:3px solid #0a58ca;outline-offset:3px}' +
    '.launch{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;display:flex;align-items:center;gap:.4rem;' +
    'font:600 1rem/1.2 system-ui,sans-serif;padding:.75rem 1.1rem;border:0;border-radius:2rem;box-shadow:0 2px 10px rgba(0,0,0,.3)}' +
    '.panel{position:fixed;right:1rem;bottom:5rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));' +
    'height:min(40rem,calc(100vh - 7rem));border-radius:.75rem;overflow:hidden;box-shadow:0 4px 24px rgba(0,0,0,.35);' +
    'background:#fff;color:#1a1a1a;font:16px/1.5 system-ui,sans-serif}' +
    '.panel:focus{outline:0}' +
    'iframe{display:block;border:0;width:100%;height:100%}' +
    // The embedded page's header has its own ✕, 44 px, 8 px from the top and 12 px from the
    // right when the title fits one line; this one looks the same and covers it, also when a
    // two-line title makes the header taller, without reaching the button beside it.
    '.x{position:absolute;top:0;right:0;z-index:2;box-sizing:border-box;width:62px;height:60px;' +
    'padding:8px 12px 8px 6px;border:0;border-radius:0}' +
    '.x span{display:flex;align-items:center;justify-content:center;height:100%;box-sizing:border-box;' +
    'border:1px solid;border-radius:8px;font:20px/1 system-ui,sans-serif}' +
    '.x:focus-visible{outline:0}.x:focus-visible span{outline:3px solid var(--on);outline-offset:2px;box-shadow:0 0 0 5px var(--a)}' +
    '.note{position:absolute;inset:0;z-index:1;overflow:auto;background:#fff}' +
    '.head{margin:0;min-height:60px;box-sizing:border-box;padding:8px 68px 8px 12px;display:flex;align-items:center;' +
    'font-weight:600;font-size:18px;background:var(--a);color:var(--on)}' +
    '.msg{margin:16px 12px}.msg a{color:#0b4f9c;font-weight:600}' +
    '.retry{margin:0 12px;min-height:44px;padding:0 20px;border:0;border-radius:8px;font:600 16px/1.2 system-ui,sans-serif}' +
    '@media (max-width:30rem){.panel{inset:0;width:auto;height:auto;border-radius:0}.launch.open{display:none}}' +
    // The embedded page's header is shorter in a panel under 32rem high (a short phone, or a
    // floating panel on a viewport under 39rem high).
    '@media (max-height:32rem),(min-width:30.01rem) and (max-height:39rem){.x{height:52px;padding-top:4px;padding-bottom:4px}.head{min-height:52px}}' +
    '@media (prefers-color-scheme:dark){.panel,.note{background:#161718;color:#e8e8e8}.msg a{color:#8ab4f8}}' +
    '</style><button type="button" class="launch" aria-expanded="false" aria-controls="p" hidden><span aria-hidden="true">💬</span><span></span></button>' +
    '<div id="p" class="panel" role="dialog" tabindex="-1" hidden>' +
    '<button type="button" class="x" aria-label="Đóng trợ lý ảo"><span aria-hidden="true">✕</span></button>' +
    '<div class="note"><p class="head"></p><p class="msg" aria-live="polite"></p>' +
    '<button type="button" class="retry" hidden>Thử lại</button></div></div>';
  const $ = (s) => root.querySelector(s);
  const btn = $('.launch'), panel = $('.panel'), closer = $('.x'), note = $('.note'), msg = $('.msg'), retry = $('.retry');
  let frame = null; // the chat page, once it is loading
  let state = ''; // '', 'loading', 'ready' or 'failed'
  let probe = null; // the settings request under way

  const title = () => own.title || server.title;
  const paint = () => {
    const color = own.color || server.color;
    const hex = color.length === 4 ? color.replace(/\w/g, '$&$&') : color;
    const lum = [1, 3, 5].map((i) => parseInt(hex.substr(i, 2), 16) / 255)
      .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    for (const el of [btn, panel]) {
      el.style.setProperty('--a', color);
      el.style.setProperty('--on', lum > 0.179 ? '#000' : '#fff');
    }
    btn.lastChild.textContent = $('.head').textContent = title();
    panel.setAttribute('aria-label', title());
    if (frame) frame.title = title();
  };

  // settings asks the server for its settings; it resolves to whether this page may embed the
  // assistant, false also when the server does not answer within TIMEOUT.
  const settings = () => probe || (probe = new Promise((done) => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), TIMEOUT);
    fetch(origin + '/widget-config', { cache: 'no-store', credentials: 'omit', signal: ctl.signal })
      .then((r) => (r.ok ? r.json() : {}))
      .then((c) => {
        if (typeof c.title === 'string' && c.title.trim()) server.title = c.title.trim().slice(0, 80);
        if (isColor(c.color)) server.color = c.color;
        if (typeof c.hotline === 'string') {
          server.hotline = c.hotline.slice(0, 200);
          server.tel = /^\+?\d{3,15}$/.test(c.tel) ? c.tel : '';
        }
        paint();
        if (c.allowed === false) console.warn('widget.js: ' + location.origin + ' is not in ASSISTANT_ALLOWED_ORIGINS of ' + origin + '; the assistant cannot be embedded here.');
        done(c.allowed === true);
      })
      .catch(() => done(false))
      .finally(() => { clearTimeout(timer); probe = null; });
  }));

  const fail = () => {
    state = 'failed';
    if (frame) frame.remove();
    frame = null;
    note.hidden = retry.hidden = false;
    msg.textContent = 'Không tải được trợ lý ảo. Vui lòng thử lại sau' + (server.hotline ? ' hoặc gọi ' : '.');
    if (server.hotline) {
      const a = document.createElement(server.tel ? 'a' : 'span');
      if (server.tel) a.href = 'tel:' + server.tel;
      a.textContent = server.hotline;
      msg.append(a, '.');
    }
  };

  // load shows the chat page, asking the server first: a frame that cannot load shows the
  // browser's error page and may still fire 'load'.
  const load = () => {
    if (state === 'loading' || state === 'ready') return;
    state = 'loading';
    note.hidden = false;
    msg.textContent = 'Đang tải trợ lý ảo…';
    settings().then((allowed) => {
      if (!allowed) return fail();
      const f = document.createElement('iframe');
      const timer = setTimeout(() => frame === f && fail(), TIMEOUT);
      f.onload = () => {
        if (frame !== f) return;
        clearTimeout(timer);
        state = 'ready';
        note.hidden = retry.hidden = true;
        if (!panel.hidden && root.activeElement && root.activeElement !== closer) f.focus();
      };
      f.src = origin + '/?embed=1' + (own.title ? '&title=' + encodeURIComponent(own.title) : '') +
        (own.color ? '&color=' + encodeURIComponent(own.color) : '');
      f.title = title();
      frame = f;
      panel.append(f);
    });
  };

  const open = () => {
    panel.hidden = false;
    btn.classList.add('open');
    btn.setAttribute('aria-expanded', 'true');
    if (state === 'ready') return frame.focus();
    panel.focus();
    load();
  };
  const close = () => {
    panel.hidden = true;
    btn.classList.remove('open');
    btn.setAttribute('aria-expanded', 'false');
    btn.focus();
  };
  btn.onclick = () => (panel.hidden ? open() : close());
  closer.onclick = close;
  retry.onclick = load;
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) {
      e.preventDefault();
      close();
    }
  });
  addEventListener('message', (e) => {
    if (frame && e.origin === origin && e.source === frame.contentWindow && e.data && e.data.trolyao === 'close') close();
  });

  paint();
  if (own.title && own.color) btn.hidden = false;
  settings().then(() => { btn.hidden = false; });
  (document.body || document.documentElement).append(host);
})();
