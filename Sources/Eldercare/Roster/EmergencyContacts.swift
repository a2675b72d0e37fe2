import Foundation

/// An elder's emergency contacts (紧急联系人), stored as compact JSON text in `elders.emergency_contacts`:
/// `[{"name":"王建军","relation":"儿子","phone":"13803110001"}]`. Personal data: masked in listings,
/// never sent above the privacy level (docs/PRIVACY.md).
///
/// JSON clients send an array of objects (or one object); a CSV cell may hold the JSON, or
/// `name/relation/phone` entries separated by `;`:
///
///     try EmergencyContacts.normalized("王建军/儿子/13803110001; 李梅/女儿/0311-86012345")
package enum EmergencyContacts {
    package struct Contact: Codable, Equatable {
        package var name: String
        package var relation: String?
        package var phone: String
    }

    /// Most contacts kept for one elder.
    static let maxContacts = 5

    /// The contacts as canonical JSON text, or an error naming what to fix.
    static func normalized(_ text: String) throws(ElderFieldError) -> String {
        let contacts = try parse(text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(contacts) else {
            throw ElderFieldError(
                "emergency_contacts", "cannot be stored; give name, relation and phone of each contact")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The contacts of stored or given text.
    package static func parse(_ text: String) throws(ElderFieldError) -> [Contact] {
        let trimmed = text.trimmedWhitespace
        var raw: [(name: String?, relation: String?, phone: String?)] = []
        if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
            guard let json = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) else {
                throw ElderFieldError(
                    "emergency_contacts", "is not valid JSON; send [{\"name\",\"relation\",\"phone\"}]")
            }
            let objects: [Any] = (json as? [Any]) ?? [json]
            for object in objects {
                guard let fields = object as? [String: Any] else {
                    throw ElderFieldError(
                        "emergency_contacts", "each contact must be an object with name, relation and phone")
                }
                if let unknown = fields.keys.first(where: { !["name", "relation", "phone"].contains($0) }) {
                    throw ElderFieldError(
                        "emergency_contacts", "unknown field \(unknown); a contact has name, relation, phone")
                }
                raw.append((fields["name"] as? String, fields["relation"] as? String, fields["phone"] as? String))
            }
        } else {
            for entry in trimmed.split(whereSeparator: { ";；".contains($0) }) {
                let parts = entry.split(separator: "/", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard parts.count == 3 else {
                    throw ElderFieldError(
                        "emergency_contacts", "\"\(entry)\" must be name/relation/phone, e.g. 王建军/儿子/13803110001")
                }
                raw.append((parts[0], parts[1], parts[2]))
            }
        }
        guard raw.count <= maxContacts else {
            throw ElderFieldError("emergency_contacts", "has \(raw.count) contacts; keep at most \(maxContacts)")
        }
        var contacts: [Contact] = []
        for (index, item) in raw.enumerated() {
            let position = "contact \(index + 1)"
            guard let name = item.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 40 else {
                throw ElderFieldError("emergency_contacts", "\(position) needs a name of at most 40 characters (联系人姓名)")
            }
            guard let given = item.phone, let phone = ElderInput.phone(given) else {
                throw ElderFieldError(
                    "emergency_contacts",
                    "\(position) (\(name)) needs a phone: an 11-digit mobile number or a landline like 0311-86012345")
            }
            let relation = item.relation?.trimmingCharacters(in: .whitespaces)
            contacts.append(
                Contact(
                    name: name, relation: relation?.isEmpty == true ? nil : relation.map { String($0.prefix(20)) },
                    phone: phone))
        }
        return contacts
    }
}
