// qbsync's web page, enhanced: every page works without this script (forms POST and
// redirect); with it, statuses, counts and progress stay current without a reload (GET
// /app/live every two seconds), actions run without leaving the page, the sync chooser opens
// in a dialog, menus and tooltips close on Escape. No build step, no dependency.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var body = document.body;
  var liveUrl = body.getAttribute("data-live-url");
  var signInUrl = body.getAttribute("data-sign-in-url");
  var timer = null;
  var polling = false;

  // ---- messages: the page's live region says what an action did -------------------------
  function announce(text, ok) {
    var box = document.querySelector("[data-messages]");
    if (!box) return;
    var line = document.createElement("p");
    line.className = "message " + (ok ? "message-done" : "message-error");
    line.textContent = text;
    box.replaceChildren(line);
  }

  // ---- live updates -----------------------------------------------------------------------
  function liveRecords() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-live-record]"));
  }

  function pollAddress() {
    var query = new URLSearchParams();
    var seen = {};
    liveRecords().forEach(function (element) {
      var key = element.getAttribute("data-live-record");
      if (seen[key]) return;
      seen[key] = true;
      var kind = key.slice(0, key.indexOf(":"));
      var id = key.slice(key.indexOf(":") + 1);
      query.append("record", kind + ":" + (element.getAttribute("data-live-sig") || "") + ":" + id);
    });
    var kinds = {};
    document.querySelectorAll("[data-live-count]").forEach(function (element) {
      kinds[element.getAttribute("data-live-count").split(":")[0]] = true;
    });
    Object.keys(kinds).forEach(function (kind) { query.append("counts", kind); });
    if (!query.toString()) return null;
    query.append("page", location.pathname + location.search);
    return liveUrl + "?" + query.toString();
  }

  function ownCells(element, name) {
    // The cells of this record, not of a record drawn inside it.
    return Array.prototype.filter.call(
      element.querySelectorAll('[data-live-cell="' + name + '"]'),
      function (cell) { return cell.closest("[data-live-record]") === element; }
    );
  }

  function replaceCell(cell, html) {
    var focused = cell.contains(document.activeElement) ? document.activeElement : null;
    if (focused && focused.closest("details[open]")) return; // an open menu stays as it is
    cell.innerHTML = html;
    if (focused) {
      var again = cell.querySelector("[tabindex], button, a, input");
      if (again) again.focus();
    }
  }

  function apply(answer) {
    var records = answer.records || {};
    liveRecords().forEach(function (element) {
      var changed = records[element.getAttribute("data-live-record")];
      if (!changed) return;
      element.setAttribute("data-live-sig", changed.sig);
      Object.keys(changed.cells).forEach(function (name) {
        ownCells(element, name).forEach(function (cell) { replaceCell(cell, changed.cells[name]); });
      });
    });
    var counts = answer.counts || {};
    document.querySelectorAll("[data-live-count]").forEach(function (element) {
      var value = counts[element.getAttribute("data-live-count")];
      if (value !== undefined && element.textContent !== String(value)) element.textContent = value;
    });
    document.querySelectorAll("[data-live-progress]").forEach(function (bar) {
      if (counts["accounts:total"] === undefined) return;
      bar.max = counts["accounts:total"] || 1;
      bar.value = counts["accounts:settled"];
    });
  }

  function poll() {
    clearTimeout(timer);
    var address = liveUrl && pollAddress();
    if (!address || polling) return schedule();
    polling = true;
    fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { location.assign(signInUrl); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) { if (answer) apply(answer); })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { polling = false; schedule(); });
  }

  function schedule() {
    clearTimeout(timer);
    if (!document.hidden) timer = setTimeout(poll, POLL_MS);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) clearTimeout(timer); else poll();
  });

  // ---- actions without leaving the page ----------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-live") || form.method.toLowerCase() !== "post") return;
    event.preventDefault();
    var data;
    try { data = new FormData(form, event.submitter); } catch (e) { data = new FormData(form); }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (response.status === 401) { location.assign(signInUrl); return null; }
        return response.json().then(function (answer) { return answer; });
      })
      .then(function (answer) {
        if (!answer) return;
        announce(answer.message, answer.ok);
        if (answer.ok) {
          var dialog = form.closest("dialog");
          if (dialog) dialog.close();
          closeMenus(null);
        }
        poll();
      })
      .catch(function () { form.submit(); }) // no answer we can read: the plain way
      .then(function () {
        buttons.forEach(function (button) { if (document.contains(button)) button.disabled = false; });
      });
  });

  // ---- the three-dots menus (details/summary): Escape and a click elsewhere close them ----
  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches("details[data-menu]") && menu.open) closeMenus(menu);
  }, true);

  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-menu]")) closeMenus(null);
  });

  // ---- tooltips: visible on hover and focus (CSS); Escape hides the one in view ----------
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest("details[data-menu][open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
      return;
    }
    document.querySelectorAll(".status:hover, .status:focus-within").forEach(function (status) {
      status.classList.add("tip-dismissed");
    });
  });

  function undismiss(event) {
    var status = event.target.closest && event.target.closest(".status");
    if (status) status.classList.remove("tip-dismissed");
  }
  document.addEventListener("focusout", undismiss);
  document.addEventListener("mouseout", undismiss);

  // ---- the sync dialog: the chooser page, loaded into a modal dialog ----------------------
  var opener = null;

  function load(dialog, address) {
    var target = dialog.querySelector("[data-dialog-body]");
    var url = new URL(address, location.href);
    url.searchParams.set("fragment", "1");
    target.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { location.assign(signInUrl); return ""; }
        return response.text();
      })
      .then(function (html) {
        target.innerHTML = html;
        target.removeAttribute("aria-busy");
      });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-dialog]");
    if (link) {
      var dialog = document.getElementById(link.getAttribute("data-dialog"));
      if (!dialog || !dialog.showModal) return; // a browser without dialogs: the page itself
      event.preventDefault();
      opener = link.closest("details") ? link.closest("details").querySelector("summary") : link;
      closeMenus(null);
      dialog.querySelector("[data-dialog-body]").textContent = "Loading the QuickBooks customers…";
      dialog.showModal();
      load(dialog, link.href).then(function () {
        var first = dialog.querySelector("input[type=radio], input[type=search]");
        if (first) first.focus();
      });
      return;
    }
    var close = event.target.closest("[data-dialog-close]");
    if (close && close.closest("dialog")) {
      event.preventDefault();
      close.closest("dialog").close();
      return;
    }
    var page = event.target.closest("dialog .pages a");
    if (page) {
      event.preventDefault();
      load(page.closest("dialog"), page.href);
    }
  });

  document.addEventListener("submit", function (event) {
    var search = event.target;
    if (!search.hasAttribute("data-dialog-search") || !search.closest("dialog")) return;
    event.preventDefault();
    var dialog = search.closest("dialog");
    var url = new URL(search.action, location.href);
    new FormData(search).forEach(function (value, name) { url.searchParams.set(name, value); });
    load(dialog, url.href).then(function () {
      var box = dialog.querySelector("input[type=search]");
      if (box) box.focus();
    });
  });

  document.addEventListener("close", function (event) {
    if (event.target.tagName === "DIALOG" && opener) { opener.focus(); opener = null; }
  }, true);

  schedule();
})();
