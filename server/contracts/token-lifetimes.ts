/** Token lifetimes: 90 days unless chosen, never more than a year. Without zod, for the browser's token pages. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 366;
