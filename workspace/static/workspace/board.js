// Drag-and-drop on the pipeline board, as a shortcut to the card's own move form: dropping a
// card on a column opens the card's form with that column chosen and the reason to fill in.
// Nothing is sent until the form is submitted, so the server's checks (legal moves, reasons)
// stay the only ones. Without this script the same forms are reached by keyboard.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  let dragged = null;

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest(".ws-card[draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.application);
  });
  board.addEventListener("dragend", () => {
    dragged = null;
    board.querySelectorAll(".ws-drop-target").forEach((column) => column.classList.remove("ws-drop-target"));
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest(".ws-column");
    if (!dragged || !column || column.dataset.stage === dragged.dataset.stage) return;
    event.preventDefault();
    column.classList.add("ws-drop-target");
  });
  board.addEventListener("dragleave", (event) => {
    const column = event.target.closest(".ws-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("ws-drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = event.target.closest(".ws-column");
    if (!dragged || !column) return;
    event.preventDefault();
    column.classList.remove("ws-drop-target");
    const select = dragged.querySelector("select[name=to_stage]");
    if (!select) return;
    const stage = column.dataset.stage;
    if (![...select.options].some((option) => option.value === stage)) {
      // Not a move the board offers: send it anyway, and the server names the legal ones.
      const title = column.querySelector("h2").firstChild.textContent.trim();
      select.add(new Option(title, stage));
    }
    select.value = stage;
    const details = dragged.querySelector("details");
    details.open = true;
    dragged.querySelector("textarea[name=reason]").focus();
  });
});


// The bulk bar: shows the fields of the chosen action only, counts the selected cards and
// marks them. Without this script every field shows and the server ignores those the action
// does not take.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("ws-bulk");
  if (!bar) return;
  const action = bar.querySelector("select[name=action]");
  const count = document.getElementById("ws-bulk-count");
  const boxes = () => [...document.querySelectorAll("input.ws-select")];
  const showFields = () => {
    bar.querySelectorAll(".ws-bulk-field").forEach((field) => {
      field.hidden = !field.dataset.for.split(" ").includes(action.value);
    });
  };
  const showCount = () => {
    const selected = boxes().filter((box) => box.checked);
    boxes().forEach((box) => box.closest(".ws-card").classList.toggle("ws-selected", box.checked));
    count.textContent = selected.length ? `${selected.length} selected:` : "Select cards, then:";
  };
  action.addEventListener("change", showFields);
  document.addEventListener("change", (event) => {
    if (event.target.matches("input.ws-select")) showCount();
  });
  showFields();
  showCount();
});
