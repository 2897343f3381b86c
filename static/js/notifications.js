// The header's unread count, fetched apart from the page: pages are cached whole per reader
// and data version, which a new notification does not move, so the count is never part of
// a cached page (metrics/views/notifications.py UnreadCountView).
(function () {
  var badge = document.querySelector("[data-unread-url]");
  if (!badge) return;
  function refresh() {
    fetch(badge.getAttribute("data-unread-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        badge.textContent = data.unread > 0 ? String(data.unread) : "";
        badge.hidden = !(data.unread > 0);
        badge.setAttribute("aria-label", data.unread + " unread");
      })
      .catch(function () {});
  }
  refresh();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refresh();
  });
})();
