/** Something about the directories given that stops the scorecard; the message names the directory or file. */
export class VendorsError extends Error {}
