/**
 * Face detection, 68 landmarks reduced to the template's five, and the dlib descriptor, with
 * @vladmandic/face-api, given the module and its TensorFlow.js: the same calls in Node
 * (`node/faceapi.ts` loads them there, on the wasm backend) and in browsers (the demo page passes
 * face-api's browser build), so both find the same landmarks in the same pixels.
 */
import { landmarks5From68 } from './align.js';

/** Row-major RGB pixels, 3 bytes a pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A face box in image pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The image framed by a black border `pad` pixels wide. */
function padImage(image: RgbImage, pad: number): RgbImage {
  const width = image.width + 2 * pad, height = image.height + 2 * pad;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + pad) * width + pad) * 3);
  }
  return { data, width, height };
}

/** One detected face. `fallback` is true when no detector hit was found and a central box was assumed. */
export interface DetectedFace {
  box: Box;
  score: number;
  landmarks5: number[];
  fallback: boolean;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- face-api's types come from a bundled tfjs */
/** The face-api module. */
export type FaceApiModule = any;
/** Its TensorFlow.js. */
export type Tf = any;

/** Options of {@link FaceDetector} (and of the Node loader, `FaceApi.load`). */
export interface FaceApiOptions {
  /** Tiny face detector input size (multiple of 32). @default 320 */
  inputSize?: number;
  /** Minimum detection score. @default 0.2 */
  scoreThreshold?: number;
  /** Also load the teacher's descriptor net. @default true */
  descriptor?: boolean;
}

/**
 * face-api's detector and landmarks (and, when loaded, its descriptor) over a module whose nets
 * are loaded: `tinyFaceDetector`, `faceLandmark68Net` and optionally `faceRecognitionNet`.
 */
export class FaceDetector {
  protected readonly options: Required<FaceApiOptions>;

  /** `faceapi`: the face-api module with its nets loaded; `tf`: the TensorFlow.js it runs on. */
  constructor(
    protected readonly faceapi: FaceApiModule,
    protected readonly tf: Tf,
    options: FaceApiOptions = {},
  ) {
    this.options = { inputSize: 320, scoreThreshold: 0.2, descriptor: true, ...options };
  }

  /**
   * Detects the face nearest the image centre and its landmarks. With `fallbackToCentre`, an image
   * without a detection (tight crops often have none) gets a central box covering 70% of the
   * shorter side, and the landmarks are found inside it.
   */
  async detect(image: RgbImage, fallbackToCentre = false): Promise<DetectedFace | undefined> {
    // Tight crops (UTKFace chips, say) often give the detector too little context: retry once on
    // the image framed by a black border a quarter of its size.
    const found = (await this.detectIn(image, 0, 1))[0] ?? (await this.detectIn(image, Math.round(0.25 * Math.max(image.width, image.height)), 1))[0];
    if (found || !fallbackToCentre) return found;
    const side = 0.7 * Math.min(image.width, image.height);
    return this.faceInBox(image, { x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side });
  }

  /**
   * The landmarks inside a given box, with no detector run: for corpora of face crops made the
   * same way (CelebA's aligned faces, UTKFace), where the box is known and the detector would cost
   * most of the time. Marked `fallback` (no detection score).
   */
  async faceInBox(image: RgbImage, box: Box): Promise<DetectedFace> {
    return { box, score: 0, landmarks5: await this.landmarksIn(image, box), fallback: true };
  }

  /** Every face the detector finds (no border retry, no fallback), nearest the centre first, with landmarks. */
  async detectAll(image: RgbImage): Promise<DetectedFace[]> {
    return this.detectIn(image, 0, Infinity);
  }

  /** Up to `limit` detections, nearest the centre first. */
  private async detectIn(image: RgbImage, pad: number, limit: number): Promise<DetectedFace[]> {
    const { faceapi, tf } = this;
    const framed = pad > 0 ? padImage(image, pad) : image;
    const input = tf.tensor3d(framed.data, [framed.height, framed.width, 3], 'int32');
    try {
      const options = new faceapi.TinyFaceDetectorOptions(this.options);
      const hits: { box: Box; score: number }[] = (await faceapi.detectAllFaces(input, options)).map((d: any) => ({
        box: { x: d.box.x - pad, y: d.box.y - pad, width: d.box.width, height: d.box.height },
        score: d.score,
      }));
      const cx = image.width / 2, cy = image.height / 2;
      const distance = (b: Box) => Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
      hits.sort((p, q) => distance(p.box) - distance(q.box));
      const found: DetectedFace[] = [];
      for (const hit of hits.slice(0, limit)) {
        found.push({ box: hit.box, score: hit.score, landmarks5: await this.landmarksIn(image, hit.box), fallback: false });
      }
      return found;
    } finally {
      tf.dispose(input);
    }
  }

  /** face-api's 68 landmarks inside `box`, reduced to the template's five, in image pixels. */
  private async landmarksIn(image: RgbImage, box: Box): Promise<number[]> {
    const { faceapi, tf } = this;
    const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    const [face] = await faceapi.extractFaceTensors(input, [new faceapi.Rect(box.x, box.y, box.width, box.height)]);
    try {
      // extractFaceTensors clips the box to the image; landmarks are relative to the clipped crop.
      const x0 = Math.max(0, Math.round(box.x)), y0 = Math.max(0, Math.round(box.y));
      const shape = await faceapi.nets.faceLandmark68Net.detectLandmarks(face);
      const [h, w] = face.shape;
      const sx = w / shape.imageWidth, sy = h / shape.imageHeight;
      return landmarks5From68(shape.positions.map((p: { x: number; y: number }) => ({ x: x0 + p.x * sx, y: y0 + p.y * sy })));
    } finally {
      tf.dispose([input, face]);
    }
  }

  /**
   * The teacher's 128-D descriptor (dlib ResNet) of the face in `box`, cropped the way face-api
   * crops it; `flip` mirrors the crop first (a second training view).
   */
  async descriptor(image: RgbImage, box: Box, flip = false): Promise<Float32Array> {
    const { faceapi, tf } = this;
    const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    const [face] = await faceapi.extractFaceTensors(input, [new faceapi.Rect(box.x, box.y, box.width, box.height)]);
    const view = flip ? tf.reverse(face, 1) : face;
    try {
      return new Float32Array(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(view));
    } finally {
      tf.dispose([input, face, view]);
    }
  }

  /** The teacher's descriptor of an already cropped face (any size; face-api resizes to 150x150). */
  async descriptorOfCrop(crop: RgbImage): Promise<Float32Array> {
    const { faceapi, tf } = this;
    const input = tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
    try {
      return new Float32Array(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input));
    } finally {
      tf.dispose(input);
    }
  }
}
