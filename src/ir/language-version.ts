/**
 * The language version a spec may state (`effnet 1`, a model setting). A spec that states a newer version than
 * this compiler reads is refused before anything else is said about it: its syntax may be one this version
 * has never seen, and "unknown operator" would hide the real reason. Stating no version means this one.
 */
export const LANGUAGE_VERSION = 1;

/** The setting's name. */
export const VERSION_SETTING = 'effnet';
