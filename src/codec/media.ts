/** Media types and file extensions (§12). */

/** One payload. */
export const MEDIA_TYPE = 'application/vnd.facevq';
/** A batch envelope (§11). */
export const BATCH_MEDIA_TYPE = 'application/vnd.facevq.batch+msgpack';
/** A profile file (§10). */
export const PROFILE_MEDIA_TYPE = 'application/vnd.facevq.profile+msgpack';
export const FILE_EXTENSION = '.fvq';
export const BATCH_FILE_EXTENSION = '.fvqb';
export const PROFILE_FILE_EXTENSION = '.fvqp';
