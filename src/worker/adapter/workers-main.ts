/** The Worker's entry (wrangler.toml `main`): the shipped profiles, bundled as Data modules. */
import m from '../../../models/m.fvqp';
import s from '../../../models/s.fvqp';
import { createWorker } from './workers.js';

export { GalleryObject } from './workers.js';
export default createWorker([m, s]);
