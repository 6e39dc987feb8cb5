// Progressive enhancement of "Was this asked before?" on the ask form:
// as the title is typed (debounced), questions like it are listed. Without
// JavaScript the form's button asks the server for the same list.
(function () {
  var box = document.getElementById("similar");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) return;
  var timer = null, last = "";
  function show(items) {
    box.replaceChildren();
    if (!items.length) return;
    var h = document.createElement("h2");
    h.textContent = box.dataset.heading;
    var ul = document.createElement("ul");
    items.forEach(function (it) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = it.url; a.lang = it.lang; a.textContent = it.title;
      li.appendChild(a); ul.appendChild(li);
    });
    box.append(h, ul);
  }
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = title.value.trim();
      if (q === last || q.length < 3) return;
      last = q;
      fetch(box.dataset.url + "?title=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { if (q === last) show(items); })
        .catch(function () {});
    }, 400);
  });
})();
