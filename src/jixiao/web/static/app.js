// Small conveniences only; every page works without this file.
// 审核: answering a criterion of an item ticks that item's 「复核此项」 box.
document.addEventListener("change", function (event) {
  var block = event.target.closest && event.target.closest("fieldset.judge");
  if (!block || event.target.name.slice(-3) === ".on") return;
  var on = block.querySelector('input[name$=".on"]');
  if (on) on.checked = true;
});

// 报告编辑: recompute as fields change. The form posts to the preview route (nothing is saved) and the
// score summary is replaced by the fresh one; without JavaScript the 重新计算 button does the same.
(function () {
  var form = document.querySelector("form.edit-form");
  if (!form || !window.fetch || !window.DOMParser || !window.FormData) return;
  var timer = null;
  var latest = 0;
  function recompute() {
    var data = new FormData(form);
    data.set("do", "preview");
    var mine = ++latest;
    fetch(form.getAttribute("action") + "/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || mine !== latest) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("dl.scores");
        var shown = document.querySelector("dl.scores");
        if (fresh && shown) {
          fresh.setAttribute("aria-live", "polite");
          shown.replaceWith(fresh);
        }
      })
      .catch(function () {});
  }
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(recompute, 300);
  });
})();
