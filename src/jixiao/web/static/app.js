// Small conveniences only; every page works without this file.
// 审核: answering a criterion of an item ticks that item's 「复核此项」 box.
document.addEventListener("change", function (event) {
  var block = event.target.closest && event.target.closest("fieldset.judge");
  if (!block || event.target.name.slice(-3) === ".on") return;
  var on = block.querySelector('input[name$=".on"]');
  if (on) on.checked = true;
});
