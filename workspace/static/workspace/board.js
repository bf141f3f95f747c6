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
