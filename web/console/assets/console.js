// Operators' console: signs in with a cookie session, shows who waits for staff and the recent
// conversations, and lets an editor take one over, write to the person and hand it back.
// Text from conversations is put in the page as text nodes only, never as HTML.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...kids) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  };
  const CHANNELS = { web: 'Web', api: 'API', zalo: 'Zalo', messenger: 'Messenger', telegram: 'Telegram' };
  const ROLES = { user: 'Người dân', assistant: 'Trợ lý ảo', operator: 'Cán bộ', notice: '' };
  const ERRORS = {
    bad_credentials: 'Sai tên đăng nhập hoặc mật khẩu.',
    account_locked: 'Tài khoản đang bị khoá do nhập sai mật khẩu nhiều lần. Thử lại sau hoặc nhờ quản trị viên mở khoá.',
    rate_limited: 'Đăng nhập quá nhiều lần. Vui lòng đợi một lát.',
    taken_over: 'Một cán bộ khác đã tiếp nhận hội thoại này.',
    not_holder: 'Bạn cần tiếp nhận hội thoại trước khi trả lời.',
    window_closed: 'Nền tảng không cho phép gửi tin lúc này.',
    not_delivered: 'Tin đã lưu nhưng nền tảng không nhận.',
    forbidden: 'Vai trò của bạn không được làm việc này.',
    csrf: 'Phiên làm việc đã thay đổi; vui lòng tải lại trang.',
  };
  const fmt = (t) => new Date(t).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' });
  let me = null, csrf = '', open = '', events = null;

  async function api(method, path, body) {
    const headers = {};
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    if (res.status !== 204) { try { data = await res.json(); } catch { data = null; } }
    if (res.status === 401 && path !== '/api/v1/auth/login') { signedOut(); throw new Error('unauthorized'); }
    if (!res.ok) {
      const code = data && data.error ? data.error.code : 'internal';
      const err = new Error(ERRORS[code] || (data && data.error ? data.error.message : 'Có lỗi xảy ra.'));
      err.code = code;
      err.detail = data && data.error ? data.error.message : '';
      throw err;
    }
    return data;
  }

  // ---- signing in -------------------------------------------------------------------------
  function signedOut() {
    me = null;
    csrf = '';
    if (events) { events.close(); events = null; }
    $('app').hidden = true;
    $('who').hidden = $('logout').hidden = true;
    $('signin').hidden = false;
    $('username').focus();
  }

  function signedIn(who) {
    me = who;
    csrf = who.csrf_token || csrf;
    $('signin').hidden = true;
    $('app').hidden = false;
    $('who').hidden = $('logout').hidden = false;
    $('who').textContent = who.username + ' (' + ({ admin: 'quản trị', editor: 'biên tập', viewer: 'chỉ xem' }[who.role] || who.role) + ')';
    refreshLists();
    follow();
  }

  $('signin-form').onsubmit = async (e) => {
    e.preventDefault();
    $('signin-error').textContent = '';
    try {
      const who = await api('POST', '/api/v1/auth/login', { username: $('username').value, password: $('password').value, cookie: true });
      $('password').value = '';
      signedIn(who);
      $('main').focus();
    } catch (err) {
      $('signin-error').textContent = err.message;
    }
  };
  $('logout').onclick = async () => {
    try { await api('POST', '/api/v1/auth/logout'); } catch { /* signed out anyway */ }
    signedOut();
  };

  // ---- lists ------------------------------------------------------------------------------
  function row(c, waiting) {
    const label = c.first_question || '(chưa có câu hỏi)';
    const meta = [CHANNELS[c.channel] || c.channel, 'lúc ' + fmt(waiting && c.human_requested ? c.human_requested : c.last_at),
      c.operator ? 'cán bộ ' + c.operator + ' đang trả lời' : (waiting ? 'đang chờ' : c.messages + ' tin')].join(' · ');
    const b = el('button', { type: 'button' }, label, el('span', { className: 'meta' }, meta));
    b.dataset.id = c.id;
    if (c.id === open) b.setAttribute('aria-current', 'true');
    b.onclick = () => openConversation(c.id);
    return el('li', {}, b);
  }

  async function refreshLists() {
    const q = $('q').value.trim();
    try {
      const [waiting, recent] = await Promise.all([
        api('GET', '/api/v1/conversations?waiting=true&days=30'),
        api('GET', '/api/v1/conversations?days=7&limit=50' + (q ? '&q=' + encodeURIComponent(q) : '')),
      ]);
      $('queue').replaceChildren(...waiting.conversations.map((c) => row(c, true)));
      $('queue-empty').hidden = waiting.conversations.length > 0;
      $('queue-count').textContent = waiting.conversations.length ? '(' + waiting.conversations.length + ')' : '';
      $('recent').replaceChildren(...recent.conversations.map((c) => row(c, false)));
    } catch { /* shown on the next refresh */ }
  }
  $('search').onsubmit = (e) => { e.preventDefault(); refreshLists(); };

  // ---- one conversation -------------------------------------------------------------------
  function message(m) {
    const li = el('li', { className: m.role + (m.status === 'undelivered' ? ' undelivered' : '') });
    if (ROLES[m.role]) li.append(el('span', { className: 'who' }, ROLES[m.role] + ' · ' + fmt(m.created_at)));
    li.append(m.text);
    if (m.status === 'undelivered') li.append(el('span', { className: 'who' }, 'Chưa gửi được' + (m.detail ? ': ' + m.detail : '')));
    return li;
  }

  async function openConversation(id) {
    open = id;
    for (const b of document.querySelectorAll('.rows button')) b.setAttribute('aria-current', String(b.dataset.id === id));
    $('conv-error').textContent = '';
    let c;
    try { c = await api('GET', '/api/v1/conversations/' + encodeURIComponent(id)); } catch (err) { $('conv-error').textContent = err.message; return; }
    if (open !== id) return;
    $('conv').hidden = false;
    $('conv-title').textContent = 'Hội thoại trên ' + (CHANNELS[c.channel] || c.channel);
    $('conv-meta').textContent = c.operator ? 'Cán bộ ' + c.operator + ' đang trả lời.' : c.human_requested ? 'Người dân đang chờ cán bộ từ ' + fmt(c.human_requested) + '.' : 'Trợ lý ảo đang trả lời.';
    $('transcript').replaceChildren(...c.messages.map(message));
    $('transcript').scrollTop = $('transcript').scrollHeight;
    const mine = me && c.operator === me.username;
    const canEdit = me && (me.role === 'editor' || me.role === 'admin');
    $('take').hidden = !canEdit || mine;
    $('take').disabled = !!c.operator && !mine;
    $('release').hidden = !mine;
    $('reply').hidden = !mine;
    const w = c.window;
    $('window').hidden = !w || !w.note;
    if (w && w.note) {
      $('window').textContent = w.note;
      $('window').classList.toggle('closed', !w.open);
    }
  }

  async function act(fn) {
    $('conv-error').textContent = '';
    try { await fn(); } catch (err) { $('conv-error').textContent = err.message + (err.code === 'window_closed' || err.code === 'not_delivered' ? ' ' + err.detail : ''); }
    await openConversation(open);
    refreshLists();
  }
  $('take').onclick = () => act(async () => {
    await api('POST', '/api/v1/conversations/' + encodeURIComponent(open) + '/takeover');
    $('live').textContent = 'Đã tiếp nhận hội thoại.';
    setTimeout(() => $('reply-text').focus(), 0);
  });
  $('release').onclick = () => act(async () => {
    await api('POST', '/api/v1/conversations/' + encodeURIComponent(open) + '/handback');
    $('live').textContent = 'Đã trả hội thoại cho trợ lý ảo.';
  });
  $('reply').onsubmit = (e) => {
    e.preventDefault();
    const text = $('reply-text').value.trim();
    if (!text) return;
    act(async () => {
      await api('POST', '/api/v1/conversations/' + encodeURIComponent(open) + '/messages', { text });
      $('reply-text').value = '';
    });
  };
  $('reply-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) $('reply').requestSubmit();
  });

  // ---- live -------------------------------------------------------------------------------
  let refreshTimer = 0;
  function follow() {
    if (events) events.close();
    events = new EventSource('/api/v1/events');
    const onEvent = (e) => {
      let ev;
      try { ev = JSON.parse(e.data); } catch { return; }
      if (ev.session_id === open) {
        if (e.type === 'message') {
          $('transcript').append(message({ role: ev.role, text: ev.text, status: ev.status, created_at: ev.at }));
          $('transcript').scrollTop = $('transcript').scrollHeight;
          if (ev.role === 'user') $('live').textContent = 'Người dân: ' + ev.text;
        } else {
          openConversation(open);
        }
      }
      if (e.type === 'human_requested') $('live').textContent = 'Có người dân đang chờ cán bộ.';
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refreshLists, 300);
    };
    for (const k of ['message', 'human_requested', 'taken_over', 'handed_back']) events.addEventListener(k, onEvent);
  }

  // A page reloaded in a live session carries on.
  api('GET', '/api/v1/auth/me').then(signedIn, () => signedOut());
})();
