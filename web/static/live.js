// Progressive enhancement: new answers appear while the thread is open.
// The page works without it; this only listens to the thread's event
// stream, fetches the page again when an answer arrives, inserts the new
// answer and announces it in the status region (aria-live).
(function () {
  var status = document.getElementById("live-status");
  if (!status || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var source = new EventSource(status.dataset.events);
  source.addEventListener("answer", function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (!data.post || document.getElementById("p-" + data.post)) return;
    fetch(window.location.pathname + window.location.search, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) { insert(data.post, new DOMParser().parseFromString(html, "text/html")); })
      .catch(function () { status.textContent = status.dataset.reload; });
  });

  function insert(id, doc) {
    if (document.getElementById("p-" + id)) return;
    var fresh = doc.getElementById("p-" + id);
    if (!fresh) { status.textContent = status.dataset.reload; return; }
    var node = document.importNode(fresh, true);
    // After the answer that precedes it on the fresh page, else at the end
    // of the answers, before this status line.
    var prev = fresh.previousElementSibling;
    var anchor = prev && prev.id ? document.getElementById(prev.id) : null;
    if (anchor && anchor.parentNode === status.parentNode) {
      anchor.insertAdjacentElement("afterend", node);
    } else {
      status.insertAdjacentElement("beforebegin", node);
    }
    // The heading's count, as the fresh page words it (plural rules
    // and numerals of the reader's language).
    var count = doc.getElementById("answers-h"), heading = document.getElementById("answers-h");
    if (count && heading) heading.textContent = count.textContent;
    var author = node.querySelector(".byline a");
    status.textContent = status.dataset.newAnswer + (author ? " " + author.textContent : "");
  }
})();
