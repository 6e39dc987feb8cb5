// Progressive enhancement: an answer's Reply link opens the reply form
// under that answer, with the quote of it, instead of loading the form
// page (?reply_to=, which works without this). The form is the one the
// server renders for that link; its ids are renamed so they stay unique.
(function () {
  if (!window.fetch || !window.DOMParser) return;
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("article.post footer a[href*='reply_to=']");
    if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var post = link.closest("article.post");
    var open = post.nextElementSibling;
    if (open && open.classList.contains("inline-reply")) {
      ev.preventDefault();
      open.querySelector("textarea").focus();
      return;
    }
    ev.preventDefault();
    fetch(link.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var section = doc.getElementById("reply");
        if (!section || !section.querySelector("form")) { window.location = link.href; return; }
        var box = document.createElement("section");
        box.className = "inline-reply";
        box.setAttribute("aria-labelledby", "r-" + post.id + "-h");
        while (section.firstChild) box.appendChild(document.importNode(section.firstChild, true));
        var prefix = "r-" + post.id + "-";
        box.querySelectorAll("[id]").forEach(function (el) { el.id = prefix + el.id.replace(/^reply-/, ""); });
        box.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = prefix + el.htmlFor; });
        box.querySelectorAll("[aria-describedby]").forEach(function (el) {
          el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").split(" ").map(function (id) { return prefix + id; }).join(" "));
        });
        box.querySelectorAll("script").forEach(function (el) { el.remove(); });
        post.insertAdjacentElement("afterend", box);
        var area = box.querySelector("textarea");
        if (area) area.focus();
      })
      .catch(function () { window.location = link.href; });
  });
})();
