/** A Nest service whose methods the worker offers workflows as activities (method names are activity names). */
export interface ActivityProvider<A extends object = object> {
  toActivities(): A;
}
