// Progressive enhancement: a Copy button beside inputs (or text, such as a
// wrapping <code>) marked data-copy. Without JavaScript the value is still
// there to select and copy.
document.querySelectorAll("[data-copy]").forEach(function (input) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = input.dataset.copy;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value || input.textContent).then(function () {
      button.textContent = input.dataset.copied;
    });
  });
  input.insertAdjacentElement("afterend", button);
});
