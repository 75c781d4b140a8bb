/**
 * `NodeFaceEncoder`: {@link FaceEncoder} plus image files and encoded buffers (decoded with sharp)
 * and, for callers without a box, face detection with face-api. Both packages are optional peer
 * dependencies, loaded on first use.
 */
import { landmarksFromBox, type FaceBox } from '../box-landmarks.js';
import { FaceEncoderError } from '../errors.js';
import { FaceEncoder, type EncodedFace, type EncodeFaceOptions } from '../face-encoder.js';
import type { FaceInput } from '../preprocess.js';
import { FaceApi } from './faceapi.js';
import { decodeImage } from './image.js';

/** Options for {@link NodeFaceEncoder.encodeImage}. */
export interface EncodeImageOptions extends EncodeFaceOptions {
  /** The face's box; without it (and without `landmarks5`) the face is detected. */
  box?: FaceBox;
  /** The face's five landmarks (image pixels); preferred over `box`. */
  landmarks5?: ArrayLike<number>;
  /** Detect the face when neither box nor landmarks are given. @default true */
  detect?: boolean;
}

/** An encoded image: the payload and where the face was. */
export interface EncodedImage extends EncodedFace {
  face: {
    /** The box used (given or detected); absent when only landmarks were given. */
    box?: FaceBox;
    /** The five landmarks the crop was aligned to. */
    landmarks5: number[];
    /** How the face was located. */
    source: 'landmarks' | 'box' | 'detected';
  };
  width: number;
  height: number;
}

/**
 * A {@link FaceEncoder} for Node.
 *
 * @example
 * ```ts
 * const encoder = await NodeFaceEncoder.load({ profile: 's' });
 * const { payload } = await encoder.encodeImage('alice.jpg'); // detects the face
 * ```
 */
export class NodeFaceEncoder extends FaceEncoder {
  private faceApi: Promise<FaceApi> | undefined;

  /** Decodes an image (a path or encoded bytes), locates the face and encodes it. */
  async encodeImage(image: string | Uint8Array, options: EncodeImageOptions = {}): Promise<EncodedImage> {
    const { box, landmarks5, detect = true, ...encodeOptions } = options;
    const rgb = await decodeImage(image);
    const pixels = { pixels: rgb.data, width: rgb.width, height: rgb.height, channels: 3 as const };
    let input: FaceInput, face: EncodedImage['face'];
    if (landmarks5) {
      input = { ...pixels, landmarks5 };
      face = { landmarks5: Array.from(landmarks5), source: 'landmarks', ...(box && { box }) };
    } else if (box) {
      input = { ...pixels, box };
      face = { box, landmarks5: Array.from(landmarksFromBox(box)), source: 'box' };
    } else {
      if (!detect) throw new FaceEncoderError('E_INPUT', 'no box or landmarks, and detection is off');
      const found = await (await this.detector()).detect(rgb, false);
      if (!found) throw new FaceEncoderError('E_NO_FACE', `no face found in ${typeof image === 'string' ? image : 'the image'}`);
      input = { ...pixels, landmarks5: found.landmarks5 };
      face = { box: found.box, landmarks5: found.landmarks5, source: 'detected' };
    }
    const encoded = await this.encode(input, encodeOptions);
    return { ...encoded, face, width: rgb.width, height: rgb.height };
  }

  /**
   * Detects every face in an image (a path or encoded bytes) and encodes each, the face nearest
   * the centre first (the one {@link encodeImage} takes). Throws `E_NO_FACE` when there is none.
   */
  async encodeAllFaces(image: string | Uint8Array, options: EncodeFaceOptions = {}): Promise<EncodedImage[]> {
    const rgb = await decodeImage(image);
    const detector = await this.detector();
    // detectAll has no second try on a bordered image, which tight crops need: detect() has.
    let found = await detector.detectAll(rgb);
    if (found.length === 0) found = [await detector.detect(rgb, false)].filter((f) => f !== undefined);
    if (found.length === 0) throw new FaceEncoderError('E_NO_FACE', `no face found in ${typeof image === 'string' ? image : 'the image'}`);
    const pixels = { pixels: rgb.data, width: rgb.width, height: rgb.height, channels: 3 as const };
    const out: EncodedImage[] = [];
    for (const face of found) {
      const encoded = await this.encode({ ...pixels, landmarks5: face.landmarks5 }, options);
      out.push({ ...encoded, face: { box: face.box, landmarks5: face.landmarks5, source: 'detected' }, width: rgb.width, height: rgb.height });
    }
    return out;
  }

  /** face-api, loaded on first use (detector and landmarks only). */
  private detector(): Promise<FaceApi> {
    this.faceApi ??= FaceApi.load({ descriptor: false });
    return this.faceApi;
  }
}
