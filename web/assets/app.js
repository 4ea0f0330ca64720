// Chat page of the assistant: talks to /ws/chat (see web/PROTOCOL.md). Answer text is put in
// the page as text nodes only, never as HTML.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...kids) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  };
  const KEY = 'trolyao.session';
  const store = {
    get: () => { try { return localStorage.getItem(KEY) || ''; } catch { return ''; } },
    set: (v) => { try { v ? localStorage.setItem(KEY, v) : localStorage.removeItem(KEY); } catch { /* storage blocked */ } },
  };
  const log = $('log'), list = $('messages'), intro = $('intro'), q = $('q'), send = $('send'), live = $('live');
  const statusBox = $('status'), statusText = $('status-text'), statusCount = $('status-count'), retry = $('retry');
  const ERRORS = {
    rate_limited: 'Bạn gửi hơi nhanh. Vui lòng đợi một lát rồi gửi lại.',
    busy: 'Vui lòng chờ câu trả lời trước.',
    message_too_large: 'Câu hỏi quá dài (tối đa 2000 ký tự).',
    unknown_session: 'Cuộc trò chuyện cũ không còn lưu; bắt đầu cuộc trò chuyện mới.',
    unavailable: 'Hệ thống đang quá tải. Vui lòng thử lại sau ít phút.',
    internal: 'Hệ thống gặp sự cố. Vui lòng thử lại sau.',
  };

  // Embedded by widget.js: title and colour come from the host page's script tag.
  const params = new URLSearchParams(location.search);
  const embed = params.has('embed');
  if (embed) {
    document.documentElement.classList.add('embed');
    const t = (params.get('title') || '').slice(0, 80);
    if (t) $('title').textContent = document.title = t;
    const c = params.get('color') || '';
    if (/^#([0-9a-f]{3}){1,2}$/i.test(c)) setAccent(c);
    // The widget's own close button, in the host page, sits where ours would: it works even
    // when this page fails to load, so this page shows none of its own.
    const close = () => parent.postMessage({ trolyao: 'close' }, '*');
    addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('confirm-new').open) close(); });
  }

  function setAccent(c) {
    const hex = c.length === 4 ? c.replace(/\w/g, '$&$&') : c;
    const lum = [1, 3, 5].map((i) => parseInt(hex.substr(i, 2), 16) / 255)
      .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const root = document.documentElement.style;
    root.setProperty('--accent', c);
    root.setProperty('--on-accent', lum > 0.179 ? '#000' : '#fff');
    root.setProperty('--accent-ink', lum <= 0.16 ? c : '#1f1f1f');
  }

  // ---- connection -------------------------------------------------------------------------
  let ws = null, ready = false, sid = store.get(), attempt = 0, timer = 0, outbox = '', pending = null, lastPong = 0, idle = false;

  // The status line is a live region: its text changes only when the state does, so that a
  // screen reader hears "Mất kết nối" once, not on every retry; the countdown to the next
  // attempt ticks beside it, hidden from assistive technology.
  let statusKind = '', countdown = 0;
  function setStatus(kind, text, retryAt) {
    statusKind = kind;
    statusBox.hidden = kind === 'open';
    statusBox.className = 'status' + (kind === 'error' ? ' err' : '');
    if (statusText.textContent !== (text || '')) statusText.textContent = text || '';
    retry.hidden = kind !== 'reconnecting' && kind !== 'error';
    clearInterval(countdown);
    statusCount.textContent = '';
    if (!retryAt) return;
    const tick = () => {
      const left = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      statusCount.textContent = left ? ' Thử lại sau ' + left + ' giây.' : '';
      if (!left) clearInterval(countdown);
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  function connect() {
    clearTimeout(timer);
    if (ws) return;
    if (!navigator.onLine) return setStatus('offline', 'Bạn đang ngoại tuyến. Trò chuyện sẽ tiếp tục khi có mạng.');
    idle = false;
    ready = false;
    if (!attempt) setStatus('connecting', 'Đang kết nối…');
    else setStatus('reconnecting', statusKind === 'error' ? statusText.textContent : 'Mất kết nối. Trò chuyện sẽ tự kết nối lại.');
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/chat' + (sid ? '?session_id=' + encodeURIComponent(sid) : '');
    const s = new WebSocket(url);
    ws = s;
    lastPong = Date.now();
    s.onmessage = (e) => { let f; try { f = JSON.parse(e.data); } catch { return; } lastPong = Date.now(); handle(f); };
    s.onclose = (e) => { if (ws === s) dropped(e.code, e.reason); };
  }

  function dropped(code, reason) {
    ws = null;
    ready = false;
    if (pending) pending.wait('Mất kết nối, câu trả lời sẽ hiện khi kết nối lại');
    if (code === 1000 && reason === 'idle') {
      idle = true;
      return setStatus('idle', 'Đã tạm ngắt kết nối do lâu không hoạt động; sẽ kết nối lại khi bạn gửi câu hỏi.');
    }
    if (!navigator.onLine) return setStatus('offline', 'Bạn đang ngoại tuyến. Trò chuyện sẽ tiếp tục khi có mạng.');
    const delay = Math.round(Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2)) + (code === 1008 ? 30000 : 0);
    attempt++;
    setStatus(code === 1008 ? 'error' : 'reconnecting',
      code === 1008 ? 'Kết nối bị đóng do gửi quá nhiều yêu cầu.' : 'Mất kết nối. Trò chuyện sẽ tự kết nối lại.', Date.now() + delay);
    timer = setTimeout(connect, delay);
  }

  // Every 25 s the page pings; a connection silent for 60 s is presumed dead.
  setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastPong > 60000) {
      const s = ws;
      ws = null;
      s.onclose = null;
      s.close();
      return dropped(1006, '');
    }
    ws.send('{"type":"ping"}');
  }, 25000);
  addEventListener('online', connect);
  addEventListener('offline', () => { if (!ws) setStatus('offline', 'Bạn đang ngoại tuyến. Trò chuyện sẽ tiếp tục khi có mạng.'); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden && !ws && !idle) connect(); });
  retry.onclick = () => { attempt = 0; connect(); };

  function handle(f) {
    switch (f.type) {
      case 'session':
        attempt = 0;
        if (statusKind !== 'notice') setStatus('open'); // a notice ("Đã xoá…") stays until the next answer
        if (sid && f.session_id !== sid) clearConversation();
        sid = f.session_id;
        store.set(sid);
        ready = true;
        if (!sid) flush(); // a new conversation: no history follows
        break;
      case 'history':
        clearConversation();
        for (const m of f.messages) {
          if (m.role === 'user') addUser(m.text);
          else if (m.role === 'operator') addStaff(m.text);
          else if (m.role === 'notice') addNote(m.text);
          else {
            const b = bot(m.id);
            if (m.status === 'streaming') { b.append(m.text); pending = b; b.wait(''); }
            else if (m.status === 'interrupted') b.fail('Câu trả lời bị gián đoạn. Vui lòng hỏi lại.');
            else {
              b.done(m.text, m.citations || [], !!m.id, m.choices || [], m.procedure);
              if (m.rating) b.rated(m.rating);
            }
          }
        }
        flush();
        scrollDown(true);
        break;
      case 'delta': {
        const stick = nearBottom();
        (byId(f.message_id) || claim(f.message_id)).append(f.text);
        if (stick) scrollDown(true);
        break;
      }
      case 'staff_message': {
        const stick = nearBottom();
        if (f.role === 'operator') {
          addStaff(f.text);
          live.textContent = 'Cán bộ hỗ trợ: ' + f.text;
        } else {
          addNote(f.text);
          live.textContent = f.text;
        }
        if (stick) scrollDown(true);
        break;
      }
      case 'takeover':
        staffed(f.active);
        break;
      case 'answer': {
        if (f.handover || f.human_requested) {
          // A member of staff answers (nothing from the assistant), or the request for one
          // was passed on (a notice, not an answer).
          const b = byId(f.message_id) || (pending && !pending.id ? pending : null);
          if (b) b.remove();
          if (b === pending) pending = null;
          if (f.human_requested) addNote(f.answer);
          live.textContent = f.handover ? 'Đã gửi tới cán bộ hỗ trợ.' : f.answer;
          if (f.handover) staffed(true);
          scrollDown(true);
          break;
        }
        // Whether to follow is decided before the answer grows the page: a reader at the end
        // (or waiting for this answer) sees the whole of it, one who scrolled up stays put.
        const b = byId(f.message_id) || claim(f.message_id);
        const stick = nearBottom() || b === pending;
        if (b === pending) pending = null;
        b.done(f.answer, f.citations || [], !!f.message_id, f.choices || [], f.procedure, f.suggestions || []);
        live.textContent = 'Trợ lý trả lời: ' + f.answer.replace(/\[\d+\]/g, '');
        if (statusKind === 'notice') setStatus('open');
        if (stick) scrollDown(true);
        break;
      }
      case 'conversation_deleted':
        sid = '';
        store.set('');
        clearConversation();
        notice('Đã xoá cuộc trò chuyện khỏi hệ thống.');
        q.focus();
        break;
      case 'feedback_saved': {
        const b = byId(f.message_id);
        if (b) b.thanked();
        break;
      }
      case 'error':
        if (f.message_id && byId(f.message_id) || (pending && ['unavailable', 'internal', 'message_too_large', 'invalid_request'].includes(f.code))) {
          (byId(f.message_id) || pending).fail(ERRORS[f.code] || f.message);
          pending = null;
        } else if (f.code === 'busy' || f.code === 'rate_limited') {
          if (pending && !pending.id) { // not taken: give the question back
            pending.remove();
            pending = null;
            if (lastUser) lastUser.li.remove();
            if (lastUser && !q.value) q.value = lastUser.text;
          }
          notice(ERRORS[f.code]);
        } else {
          notice(ERRORS[f.code] || f.message);
        }
        break;
    }
  }

  function notice(text) {
    setStatus('notice', text);
    live.textContent = text;
  }

  // ---- conversation -----------------------------------------------------------------------
  const bubbles = new Map();
  const byId = (id) => (id ? bubbles.get(id) : null);

  function clearConversation() {
    staffed(false);
    list.textContent = '';
    bubbles.clear();
    pending = null;
    intro.hidden = false;
  }

  let lastUser = null;
  function addUser(text) {
    intro.hidden = true;
    const li = el('li', { className: 'msg user' }, el('span', { className: 'sr-only' }, 'Bạn: '), el('div', { className: 'bubble' }, text));
    list.append(li);
    lastUser = { li, text };
  }

  // addStaff adds what a member of staff wrote; addNote a notice (staff joined or left).
  function addStaff(text) {
    intro.hidden = true;
    list.append(el('li', { className: 'msg bot staff' }, el('span', { className: 'who' }, 'Cán bộ hỗ trợ'), el('div', { className: 'bubble' }, text)));
  }
  function addNote(text) {
    intro.hidden = true;
    list.append(el('li', { className: 'msg notice' }, el('p', {}, text)));
    if (text.startsWith('Cán bộ hỗ trợ đã tham gia')) staffed(true);
    else if (text.startsWith('Cán bộ hỗ trợ đã rời')) staffed(false);
  }

  // staffed shows whether a member of staff is in the conversation; the button asking for
  // one is hidden meanwhile.
  const human = $('human');
  function staffed(active) {
    human.hidden = active;
    document.documentElement.classList.toggle('staffed', active);
  }
  human.onclick = () => {
    if (!ready) { attempt = 0; connect(); return notice('Đang kết nối; vui lòng bấm lại sau giây lát.'); }
    post({ type: 'request_human' });
  };

  // claim attaches a message ID to the answer the page is waiting for (or a new bubble).
  function claim(id) {
    const b = pending && !pending.id ? pending : bot('');
    if (id) { b.id = id; bubbles.set(id, b); }
    return b;
  }

  // bot adds an answer bubble and returns its controller.
  function bot(id) {
    intro.hidden = true;
    const text = el('div', { className: 'bubble streaming' });
    const li = el('li', { className: 'msg bot' }, el('span', { className: 'who' }, 'Trợ lý'), text);
    li.setAttribute('aria-busy', 'true');
    list.append(li);
    let streamed = '';
    const b = {
      id,
      append(t) {
        streamed += t;
        streamInto(text, streamed);
        text.classList.remove('wait');
      },
      wait(note) {
        if (!streamed) text.textContent = note;
        text.classList.add('wait');
      },
      done(answer, cites, canRate, choices, card, next) {
        li.removeAttribute('aria-busy');
        text.classList.remove('streaming', 'wait');
        render(text, answer, cites, li, choices || [], card);
        if (canRate && !li.querySelector('.fb')) li.append(feedback(b));
        if (canRate && !li.querySelector('.tools')) li.append(tools(li, answer));
        for (const old of list.querySelectorAll('.next')) old.remove(); // only the latest answer's
        if (next && next.length) {
          const group = el('div', { className: 'next' });
          group.setAttribute('role', 'group');
          group.setAttribute('aria-label', 'Hỏi tiếp');
          for (const s of next) {
            const btn = el('button', { type: 'button', className: 'starter' }, s);
            btn.onclick = () => ask(s);
            group.append(btn);
          }
          li.append(group);
        }
      },
      fail(msg) {
        li.removeAttribute('aria-busy');
        text.classList.remove('streaming', 'wait');
        text.classList.add('failed');
        text.textContent = msg;
        live.textContent = msg;
      },
      // rated shows a rating given before the page was reloaded.
      rated(r) {
        const btns = li.querySelectorAll('.fb button[aria-pressed]');
        btns.forEach((x, i) => x.setAttribute('aria-pressed', String((r === 'up') === (i === 0))));
        const s = li.querySelector('.fbs');
        if (s) s.textContent = 'Bạn đã đánh giá câu trả lời này.';
      },
      thanked() {
        const s = li.querySelector('.fbs');
        if (s) s.textContent = b.sent === 'comment' ? 'Đã gửi góp ý. Cảm ơn bạn!' : 'Cảm ơn bạn đã đánh giá!';
      },
      remove() { li.remove(); },
    };
    if (id) bubbles.set(id, b);
    return b;
  }

  // streamInto lays out an answer being written the way the finished one will be, as it
  // grows: paragraphs, and "- " lines as a list. Citation numbers wait for the answer frame
  // (they become buttons then); an unfinished "[1" is held back.
  function streamInto(box, t) {
    t = t.replace(/\s?\[\d{1,2}\]/g, '').replace(/\s?\[\d{0,2}$/, '');
    box.textContent = '';
    let ul = null;
    for (const line of t.split('\n')) {
      const item = /^\s*[-•*+]\s+(.*)$/.exec(line);
      if (item) {
        if (!ul) box.append(ul = el('ul'));
        ul.append(el('li', {}, item[1]));
        continue;
      }
      ul = null;
      if (line.trim()) box.append(el('p', {}, line));
    }
  }

  // render lays out answer text: paragraphs, "- " lines as a list, [n] as citation buttons
  // that open source cards, http(s) addresses as links, and the procedures to choose from as
  // buttons that answer with their number (in place of the numbered lines listing them).
  function render(box, text, cites, li, choices, card) {
    box.textContent = '';
    for (const old of li.querySelectorAll('.cards, .choices, .proc')) old.remove();
    const cards = el('ul', { className: 'cards' });
    const byN = new Map(cites.map((c) => [String(c.n), c]));
    const listed = new Set(choices.map((c) => String(c.n)));
    let ul = null;
    for (const line of text.split('\n')) {
      const n = /^\s*(\d{1,2})\.\s/.exec(line);
      if (n && listed.has(n[1])) continue;
      // "Chi tiết và nộp hồ sơ: https://…" is a link named by its label, not a long address;
      // with a card, whose button leads there, it is left out.
      const labelled = /^\s*([^:]{3,60}):\s*(https?:\/\/\S+)\s*$/.exec(line);
      if (labelled) {
        ul = null;
        if (!card || card.url !== labelled[2]) {
          box.append(el('p', {}, el('a', { href: labelled[2], target: '_blank', rel: 'noopener noreferrer' }, labelled[1])));
        }
        continue;
      }
      const item = /^\s*[-•*+]\s+(.*)$/.exec(line);
      if (item) {
        if (!ul) box.append(ul = el('ul'));
        ul.append(inline(el('li'), item[1], byN, cards));
        continue;
      }
      ul = null;
      if (line.trim()) box.append(inline(el('p'), line, byN, cards));
    }
    if (card) li.append(procedureCard(card));
    if (cards.childElementCount || cites.length) li.append(cards);
    if (choices.length) {
      const group = el('div', { className: 'choices' });
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', 'Chọn thủ tục');
      for (const c of choices) {
        const btn = el('button', { type: 'button', className: 'choice' }, c.n + '. ' + c.title);
        btn.onclick = () => ask(String(c.n));
        group.append(btn);
      }
      li.append(group);
    }
  }

  // procedureCard shows the procedure an answer is about at a glance: level and agency, time
  // and fee per way to submit, where to submit, the papers (folded), and a button to the
  // portal's page for it.
  function procedureCard(c) {
    const box = el('section', { className: 'proc' });
    box.setAttribute('aria-label', 'Tóm tắt thủ tục: ' + c.title);
    box.append(el('h2', {}, c.title));
    const meta = [c.level, c.agency].filter(Boolean).join(' · ');
    if (meta) box.append(el('p', { className: 'meta' }, meta));
    if (c.channels && c.channels.length) {
      const rows = c.channels.map((ch) => el('tr', {}, el('th', { scope: 'row' }, ch.name), el('td', {}, ch.time || '—'), el('td', {}, ch.fee || '—')));
      box.append(el('table', {},
        el('caption', { className: 'sr-only' }, 'Thời hạn và lệ phí theo hình thức nộp'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Hình thức nộp'), el('th', { scope: 'col' }, 'Thời hạn'), el('th', { scope: 'col' }, 'Lệ phí'))),
        el('tbody', {}, ...rows)));
    }
    if (c.place) box.append(el('p', {}, el('strong', {}, 'Nơi nộp: '), c.place));
    if (c.papers && c.papers.length) {
      const more = c.more_papers ? el('li', { className: 'more' }, 'Và ' + c.more_papers + ' giấy tờ khác (xem thủ tục đầy đủ)') : '';
      box.append(el('details', {},
        el('summary', {}, 'Giấy tờ cần chuẩn bị (' + (c.papers.length + (c.more_papers || 0)) + ')'),
        el('ul', {}, ...c.papers.map((p) => el('li', {}, p)), more)));
    }
    if (/^https?:\/\//i.test(c.url || '')) {
      box.append(el('a', { className: 'go', href: c.url, target: '_blank', rel: 'noopener noreferrer' },
        c.online ? 'Nộp hồ sơ trực tuyến' : 'Xem thủ tục đầy đủ'));
    }
    return box;
  }

  let seq = 0;
  // inline lays out one line: [n] as citation buttons, http(s) addresses as links and hotline
  // numbers (1900 1096, 0912 345 678) as tap-to-call links.
  function inline(parent, s, byN, cards) {
    const re = /\[(\d{1,2})\]|https?:\/\/[^\s<>"'()\]]+|(?<![\d.])(1[89]00[ .]?\d{2}[ .]?\d{2}|0\d{2,3}[ .]?\d{3}[ .]?\d{3,4})(?![\d.])/g;
    let at = 0, m;
    while ((m = re.exec(s))) {
      parent.append(s.slice(at, m.index));
      let token = m[0];
      const c = m[1] && byN.get(m[1]);
      if (c) parent.append(citeButton(c, cards));
      else if (m[1]) parent.append(token);
      else if (m[2]) parent.append(el('a', { href: 'tel:' + m[2].replace(/\D/g, ''), className: 'tel' }, token));
      else {
        token = token.replace(/[.,;:!?]+$/, '');
        re.lastIndex = m.index + token.length;
        parent.append(el('a', { href: token, target: '_blank', rel: 'noopener noreferrer' }, token));
      }
      at = re.lastIndex;
    }
    parent.append(s.slice(at));
    return parent;
  }

  function citeButton(c, cards) {
    const id = 'src' + ++seq;
    const card = el('li', { className: 'card', id, hidden: true },
      el('h3', {}, '[' + c.n + '] ' + (c.title || c.source)),
      el('blockquote', {}, c.snippet || ''));
    if (/^https?:\/\//i.test(c.url || '')) card.append(el('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer' }, 'Xem nguồn gốc'));
    else if (c.source) card.append(el('span', {}, 'Tài liệu: ' + c.source));
    cards.append(card);
    const btn = el('button', { type: 'button', className: 'cite' }, '[' + c.n + ']');
    btn.setAttribute('aria-label', 'Nguồn ' + c.n + ': ' + (c.title || c.source));
    btn.setAttribute('aria-expanded', 'false');
    btn.setAttribute('aria-controls', id);
    btn.onclick = () => {
      const open = card.hidden;
      card.hidden = !open;
      btn.setAttribute('aria-expanded', String(open));
    };
    return btn;
  }

  function feedback(b) {
    const box = el('div', { className: 'fb', role: 'group' });
    box.setAttribute('aria-label', 'Đánh giá câu trả lời');
    const status = el('span', { className: 'fbs', role: 'status' });
    const note = el('textarea', { maxLength: 2000 });
    const form = el('form', { className: 'fbc', hidden: true },
      el('label', {}, 'Góp ý thêm (không bắt buộc)', note),
      el('button', { type: 'submit' }, 'Gửi góp ý'));
    let rating = '';
    const rate = (r, label, icon) => {
      const btn = el('button', { type: 'button' }, el('span', { ariaHidden: 'true' }, icon + ' '), label);
      btn.setAttribute('aria-pressed', 'false');
      btn.onclick = () => {
        rating = r;
        for (const x of box.querySelectorAll('button[aria-pressed]')) x.setAttribute('aria-pressed', String(x === btn));
        // Only an answer that did not help asks what was missing.
        form.hidden = r !== 'down';
        b.sent = 'rating';
        post({ type: 'feedback', message_id: b.id, rating });
        if (r === 'down') note.focus();
      };
      return btn;
    };
    form.onsubmit = (e) => {
      e.preventDefault();
      if (!rating) return;
      b.sent = 'comment';
      post({ type: 'feedback', message_id: b.id, rating, comment: note.value.trim() });
      form.hidden = true;
      status.focus();
    };
    status.tabIndex = -1;
    box.append(el('span', {}, 'Câu trả lời có hữu ích không?'), rate('up', 'Có', '👍'), rate('down', 'Không', '👎'), status, form);
    return box;
  }

  // tools offers to copy an answer (its text, sources listed) or print it alone.
  function tools(li, answer) {
    const status = el('span', { className: 'sr-only', role: 'status' });
    const copy = el('button', { type: 'button', className: 'tool' }, 'Sao chép');
    copy.onclick = async () => {
      const sources = [...li.querySelectorAll('.card')].map((c) => c.querySelector('h3').textContent + ' ' + (c.querySelector('a') ? c.querySelector('a').href : ''));
      const text = answer.replace(/\s?\[\d{1,2}\]/g, '') + (sources.length ? '\n\nNguồn:\n' + sources.join('\n') : '');
      try {
        await navigator.clipboard.writeText(text);
        status.textContent = copy.textContent = 'Đã sao chép';
      } catch {
        status.textContent = 'Không sao chép được; hãy chọn và sao chép đoạn trả lời.';
      }
      setTimeout(() => { copy.textContent = 'Sao chép'; }, 2000);
    };
    const print = el('button', { type: 'button', className: 'tool' }, 'In');
    print.onclick = () => {
      const asked = li.previousElementSibling && li.previousElementSibling.classList.contains('user') ? li.previousElementSibling : null;
      for (const m of [li, asked]) if (m) m.classList.add('printing');
      document.documentElement.classList.add('print-one');
      const done = () => {
        for (const m of [li, asked]) if (m) m.classList.remove('printing');
        document.documentElement.classList.remove('print-one');
      };
      addEventListener('afterprint', done, { once: true });
      window.print();
    };
    return el('div', { className: 'tools' }, copy, print, status);
  }

  function post(f) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
    else notice('Chưa kết nối; vui lòng thử lại khi có kết nối.');
  }

  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 160;

  function scrollDown(force) {
    if (force || nearBottom()) log.scrollTo({ top: log.scrollHeight, behavior: 'auto' });
  }

  // ---- asking -----------------------------------------------------------------------------
  function ask(text) {
    text = text.trim();
    if (!text) return;
    if (pending) return notice(ERRORS.busy);
    for (const b of list.querySelectorAll('.choice')) b.disabled = true; // a new turn answers them
    q.value = '';
    outbox = text;
    if (ready) return flush();
    waiting(text);
    attempt = 0;
    connect();
  }

  function waiting(text) {
    addUser(text);
    pending = bot('');
    pending.wait('Đang soạn câu trả lời');
    live.textContent = 'Đã gửi câu hỏi. Trợ lý đang soạn câu trả lời.';
    scrollDown(true);
  }

  // flush sends the question typed while the page was not connected.
  function flush() {
    if (!outbox || !ready) return;
    const text = outbox;
    outbox = '';
    if (!pending) waiting(text);
    ws.send(JSON.stringify({ type: 'message', text }));
  }

  $('ask').onsubmit = (e) => { e.preventDefault(); ask(q.value); };
  q.addEventListener('focus', () => { if (idle) connect(); });
  q.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(q.value); }
  });
  for (const b of document.querySelectorAll('.starter')) b.onclick = () => ask(b.textContent);
  // Starting again asks first: the conversation on the page would be gone.
  const confirmNew = $('confirm-new');
  $('new').onclick = () => {
    if (!list.childElementCount) return startOver();
    confirmNew.showModal();
  };
  confirmNew.addEventListener('close', () => {
    if (confirmNew.returnValue === 'yes') startOver();
    else if (confirmNew.returnValue === 'delete') erase();
    else $('new').focus();
  });
  // erase asks the server to delete the conversation; the page starts a new one when it says
  // it did (conversation_deleted).
  function erase() {
    if (!sid || !ws || ws.readyState !== WebSocket.OPEN) return startOver();
    post({ type: 'delete_conversation' });
  }
  function startOver() {
    sid = '';
    store.set('');
    clearConversation();
    outbox = '';
    if (ws) { const s = ws; ws = null; s.onclose = null; s.close(1000); }
    connect();
    q.focus();
  }

  connect();
})();
