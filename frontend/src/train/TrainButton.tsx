// The toolbar's Train button: opens and closes the Train panel beside the canvas.
import { useTrain } from "./store";

export function TrainButton() {
  const open = useTrain((s) => s.open);
  const toggle = useTrain((s) => s.toggle);
  return (
    <button
      className={open ? "train-toggle active" : "train-toggle"}
      data-testid="train-open"
      onClick={toggle}
      aria-pressed={open}
      title="Train this model on a dataset (the Train panel)"
    >
      ▶ Train
    </button>
  );
}
