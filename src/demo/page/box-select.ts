/**
 * The face box by hand, for photos the detector misses: drag over the photo with a pointer, or type
 * the four numbers (keyboard users). The box is in image pixels, whatever size the canvas is shown at.
 */
import type { FaceBox } from '../../sdk/box-landmarks.js';

/** The box inputs and the photo canvas. */
export interface BoxControls {
  canvas: HTMLCanvasElement;
  x: HTMLInputElement;
  y: HTMLInputElement;
  width: HTMLInputElement;
  height: HTMLInputElement;
}

/** Shows `box` in the inputs. */
export function showBox(controls: BoxControls, box: FaceBox): void {
  controls.x.value = String(Math.round(box.x));
  controls.y.value = String(Math.round(box.y));
  controls.width.value = String(Math.round(box.width));
  controls.height.value = String(Math.round(box.height));
}

/** The box typed in the inputs, or undefined when a field is not a number or the box is empty. */
export function typedBox(controls: BoxControls): FaceBox | undefined {
  const [x, y, width, height] = [controls.x, controls.y, controls.width, controls.height].map((input) => Number(input.value));
  if (![x, y, width, height].every((v) => Number.isFinite(v)) || !(width! > 0 && height! > 0) || controls.x.value === '') return undefined;
  return { x: x!, y: y!, width: width!, height: height! };
}

/** Lets the user drag a box on the canvas; calls `onBox` when the drag ends with a box of at least 8 pixels. */
export function enableDrag(controls: BoxControls, draw: (box: FaceBox) => void, onBox: (box: FaceBox) => void): void {
  const { canvas } = controls;
  let start: { x: number; y: number } | undefined;
  const toImage = (event: PointerEvent) => {
    const rect = canvas.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) * canvas.width) / rect.width, y: ((event.clientY - rect.top) * canvas.height) / rect.height };
  };
  const boxTo = (event: PointerEvent): FaceBox => {
    const end = toImage(event);
    return { x: Math.min(start!.x, end.x), y: Math.min(start!.y, end.y), width: Math.abs(end.x - start!.x), height: Math.abs(end.y - start!.y) };
  };
  canvas.addEventListener('pointerdown', (event) => {
    start = toImage(event);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!start) return;
    const box = boxTo(event);
    showBox(controls, box);
    draw(box);
  });
  canvas.addEventListener('pointerup', (event) => {
    if (!start) return;
    const box = boxTo(event);
    start = undefined;
    if (box.width >= 8 && box.height >= 8) onBox(box);
  });
}
