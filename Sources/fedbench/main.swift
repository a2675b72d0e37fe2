print("fedbench: usage: fedbench merge")
