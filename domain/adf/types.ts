// The parsed form of an ADF prospect, exactly as `leadflow adf parse` prints it. Absent values are
// null, lists are empty, numbers are JSON numbers. This is also what a lead workflow carries as
// its payload for ADF leads, so it stays plain JSON.

export interface AdfId {
  source: string | null;
  sequence: number | null;
  value: string;
}

export interface AdfPhone {
  raw: string;
  e164: string | null;
  type: string | null;
  time: string | null;
}

export interface AdfAddress {
  street: string[];
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface AdfTimeframe {
  description: string | null;
  earliestDate: string | null;
  latestDate: string | null;
}

export interface AdfCustomer {
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
  emails: string[];
  phones: AdfPhone[];
  address: AdfAddress | null;
  timeframe: AdfTimeframe | null;
  comments: string | null;
}

export interface AdfVehicle {
  interest: string | null;
  status: string | null;
  year: number | null;
  make: string | null;
  model: string | null;
  trim: string | null;
  vin: string | null;
  stock: string | null;
  price: number | null;
  odometer: number | null;
}

export interface AdfVendor {
  name: string | null;
  contactName: string | null;
  email: string | null;
  phone: string | null;
}

export interface AdfProvider {
  name: string | null;
  service: string | null;
  url: string | null;
  email: string | null;
  phone: string | null;
}

export interface AdfProspect {
  status: 'new' | 'resend';
  ids: AdfId[];
  /** ISO-8601 UTC with milliseconds. */
  requestDate: string | null;
  customer: AdfCustomer;
  vehicles: AdfVehicle[];
  vendor: AdfVendor | null;
  provider: AdfProvider | null;
}

export interface AdfDocument {
  prospects: AdfProspect[];
}
