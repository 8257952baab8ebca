/* Progressive enhancement for forms; without JavaScript or localStorage every form works as before.
 * 1. Submit guard: a POST form's submit buttons are disabled while its request runs, so a double
 *    click sends one request (the server's form token catches whatever gets past this).
 * 2. Local draft for forms marked data-draft: what was typed stays in this browser until the
 *    submit has gone through, so an outage (the 503 page, a lost connection) loses nothing.
 * Loaded with defer from base.html: the document has been parsed when this runs. */
(() => {
  "use strict";
  const PREFIX = "hf-draft|";
  const MAX_AGE = 7 * 24 * 60 * 60 * 1000;
  // Tokens are fresh on every render; a stored one would make the server refuse the submit.
  const NEVER_STORED = ["csrfmiddlewaretoken", "form_token"];
  const NOT_DATA = ["password", "file", "submit", "button", "reset", "image"];
  // Drafts are per user: on a shared computer the next person must not get them.
  const user = (document.currentScript && document.currentScript.dataset.user) || "";

  // --- Submit guard --------------------------------------------------------------------------
  const running = new Map(); // form -> the buttons this script disabled
  const isHtmx = (form) => form.matches("[hx-post], [data-hx-post]");
  const release = (form) => {
    (running.get(form) || []).forEach((b) => {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
    running.delete(form);
  };
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const post = form.method === "post" || isHtmx(form);
    if (!post || form.hasAttribute("data-no-submit-guard")) return;
    if (running.has(form)) return event.preventDefault();
    if (event.defaultPrevented && !isHtmx(form)) return; // htmx prevents it and still sends
    const buttons = Array.from(form.elements)
      .filter((el) => (el.type === "submit" || el.type === "image") && !el.disabled);
    running.set(form, buttons);
    // Not before the event is over: the form data is built after it, and a disabled submitter
    // would lose its name/value (that is how a form with several actions tells them apart).
    setTimeout(() => {
      if (running.get(form) !== buttons) return;
      buttons.forEach((b) => {
        b.disabled = true;
        b.setAttribute("aria-busy", "true");
      });
    }, 0);
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const elt = event.detail && event.detail.elt;
    if (elt && elt.closest("form")) release(elt.closest("form"));
  });
  // Back from the back/forward cache the page is as it was left: buttons still disabled.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) Array.from(running.keys()).forEach(release);
  });

  // --- Local drafts --------------------------------------------------------------------------
  const storage = (() => {
    try { // private modes and blocked storage throw here: then there are no drafts
      localStorage.setItem("hf-probe", "1");
      localStorage.removeItem("hf-probe");
      return localStorage;
    } catch (e) {
      return null;
    }
  })();
  const quietly = (f) => { try { return f(); } catch (e) { return null; } }; // full, blocked, junk
  const read = (key) => quietly(() => JSON.parse(storage.getItem(key)));
  const write = (key, draft) => quietly(() => storage.setItem(key, JSON.stringify(draft)));
  const drop = (key) => quietly(() => storage.removeItem(key));

  const entry = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  const navigation = entry ? entry.type : "";
  const referrer = quietly(() => {
    const url = new URL(document.referrer);
    return url.origin === location.origin ? url.pathname : "";
  });
  // Too old, or not a draft this script wrote (then it is dropped rather than trusted).
  const stale = (draft) => !draft || !(Date.now() - draft.t < MAX_AGE)
    || !(draft.fields instanceof Object && draft.base instanceof Object);
  // A fresh page right after a submit from the draft's page: the submit went through and was
  // redirected here. (An error page in between said otherwise: see sweep.)
  const submitted = (draft) =>
    draft.pending && navigation === "navigate" && referrer === draft.path;
  // The server rendered the form again with what was sent: its values are the newest.
  const bound = (form) => form.hasAttribute("data-bound")
    || !!form.querySelector('[aria-invalid="true"], [data-error-summary]');

  const fields = (form) => {
    const seen = {};
    return Array.from(form.elements)
      .filter((el) => /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) && el.name
        && !NEVER_STORED.includes(el.name) && !NOT_DATA.includes(el.type))
      .map((el) => {
        seen[el.name] = (seen[el.name] || 0) + 1;
        const which = el.type === "checkbox" || el.type === "radio" ? el.value : seen[el.name];
        return [`${el.name}|${which}`, el];
      });
  };
  const valueOf = (el) => {
    if (el.type === "checkbox" || el.type === "radio") return el.checked;
    if (el.type === "select-multiple") return Array.from(el.selectedOptions, (o) => o.value);
    return el.value;
  };
  const setValue = (el, value) => {
    if (typeof value === "boolean") el.checked = value;
    else if (Array.isArray(value)) {
      Array.from(el.options).forEach((o) => { o.selected = value.includes(o.value); });
    } else el.value = value;
  };
  // Hidden fields are kept apart from what was typed, and come back with it: a draft restored
  // with the record version it was typed on lets the server see an edit made meanwhile.
  const snapshot = (form) => {
    const state = { fields: {}, base: {} };
    fields(form).forEach(([key, el]) => {
      (el.type === "hidden" ? state.base : state.fields)[key] = valueOf(el);
    });
    return state;
  };
  const apply = (form, state) => fields(form).forEach(([key, el]) => {
    const value = (el.type === "hidden" ? state.base : state.fields)[key];
    if (value !== undefined) setValue(el, value);
  });

  const keep = (form, index) => {
    const name = form.id || form.getAttribute("action") || index;
    const key = `${PREFIX}${user}|${location.pathname}|${name}`;
    const initial = snapshot(form);
    const draft = read(key);
    const notice = form.querySelector("[data-draft-notice]");
    if (stale(draft) || (submitted(draft) && !bound(form))) drop(key);
    else if (bound(form)) write(key, { ...draft, pending: false });
    else if (JSON.stringify(draft.fields) !== JSON.stringify(initial.fields)) {
      apply(form, draft);
      write(key, { ...draft, pending: false });
      if (notice) notice.hidden = false;
    } else drop(key); // nothing the page does not show already

    let timer = null;
    const save = (pending) => {
      clearTimeout(timer);
      timer = null;
      write(key, { ...snapshot(form), t: Date.now(), path: location.pathname, pending });
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => save(false), 400);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", () => save(true));
    window.addEventListener("pagehide", () => { if (timer) save(false); });
    // Back from the back/forward cache the submit did not end here: a draft again, not pending.
    window.addEventListener("pageshow", (event) => {
      const stored = event.persisted && read(key);
      if (stored && stored.pending) write(key, { ...stored, pending: false });
    });
    const discard = notice && notice.querySelector("[data-draft-discard]");
    if (discard) discard.addEventListener("click", () => {
      drop(key);
      apply(form, initial);
      notice.hidden = true;
      const first = fields(form).find(([, el]) => el.type !== "hidden");
      if (first) first[1].focus();
    });
    return key;
  };

  // Every page tidies the drafts of other pages: old ones go, and a pending one whose submit
  // went through goes. An error page (data-keep-drafts) means the submit failed: it stays.
  const sweep = (handled) => {
    const failed = !!document.querySelector("[data-keep-drafts]");
    const keys = [];
    for (let i = 0; i < storage.length; i += 1) keys.push(storage.key(i));
    keys.filter((key) => key && key.startsWith(PREFIX) && !handled.includes(key)).forEach((key) => {
      const draft = read(key);
      if (stale(draft)) drop(key);
      else if (draft.pending && failed) write(key, { ...draft, pending: false });
      else if (submitted(draft)) drop(key);
    });
  };
  if (storage) sweep(Array.from(document.querySelectorAll("form[data-draft]"), keep));
})();
